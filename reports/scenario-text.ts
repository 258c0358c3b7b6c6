// How a wall-clock scenario's result reads, in the gate's detail, summary.md, junit.xml and
// report.html alike: its figures first, never a verdict alone.
import type { ScenarioFigures, ScenarioResult } from '../properties/scenarios/result.js';

function signedMs(ms: number): string {
  return `${ms >= 0 ? '+' : '−'}${Math.abs(Math.round(ms))} ms`;
}

/** The worst expiry of the run (late or early, whichever is further out) against the tolerance, then the rest. */
function expiryPhrases(e: NonNullable<ScenarioFigures['expiry']>): string[] {
  const early = e.minMs < 0 && -e.minMs > e.maxMs;
  const worst = early ? `${signedMs(e.minMs)} early` : `${signedMs(e.maxMs)} late`;
  return [
    `expiry ${worst} at worst (tolerance ${Math.round(e.toleranceMs)} ms)`,
    `expiry median ${signedMs(e.medianMs)}, range ${signedMs(e.minMs)} .. ${signedMs(e.maxMs)} over ${e.samples} samples`,
  ];
}

function countedText(c: NonNullable<ScenarioFigures['counted']>): string {
  const seen = [
    ...(c.all === undefined ? [] : [`all ${c.all}`]),
    ...(c.length === undefined ? [] : [`length ${c.length}`]),
  ];
  return `${seen.join(', ')} of ${c.expected} live`;
}

/** Each figure the scenario measured as a phrase, the one that decides most first. */
export function figurePhrases(f: ScenarioFigures): string[] {
  return [
    ...(f.expiry === undefined ? [] : expiryPhrases(f.expiry)),
    ...(f.trials === undefined ? [] : [`anomaly in ${f.anomalies ?? 0}/${f.trials} trials`]),
    ...(f.counted === undefined ? [] : [countedText(f.counted)]),
    ...(f.slowestCallMs === undefined ? [] : [`slowest call ${Math.round(f.slowestCallMs)} ms`]),
  ];
}

export const SCENARIO_MARK: Record<ScenarioResult['status'], string> = {
  passed: '✓',
  failed: '✗',
  'not-applicable': 'n/a',
  errored: 'error',
};

/** The whole outcome in one line: every figure, the detail, or the reason / error. */
export function scenarioText(r: ScenarioResult): string {
  if (r.status === 'not-applicable') return `not applicable: ${r.reason}`;
  if (r.status === 'errored') return `errored: ${r.error}`;
  return [...figurePhrases(r.figures), r.detail].filter((t) => t !== '').join('; ');
}

/** A table cell: the mark and the deciding figure ("✗ expiry +850 ms late at worst (...)"). */
export function scenarioCell(r: ScenarioResult): string {
  if (r.status === 'not-applicable') return SCENARIO_MARK[r.status];
  if (r.status === 'errored') return SCENARIO_MARK[r.status];
  const key = figurePhrases(r.figures)[0];
  return key === undefined ? SCENARIO_MARK[r.status] : `${SCENARIO_MARK[r.status]} ${key}`;
}
