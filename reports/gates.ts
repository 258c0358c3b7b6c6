// The quality gates of a verify run, one set per backend. A gate that could not be evaluated
// is 'skipped', never 'passed': a green report must mean something was checked.
import type { Severity } from '../properties/engine/define.js';
import type { PropertyResult } from '../properties/engine/result.js';
import type { ScenarioResult } from '../properties/scenarios/result.js';
import { formatUs, rowConditions } from '../benchmarks/format.js';
import { formatChange } from './format.js';
import type { BudgetCheck, Gate, RegressionRow, RegressionSummary, RunStatus } from './report.js';
import { scenarioText } from './scenario-text.js';

/** At most this many offenders are named in a gate's one-line detail; the tables list them all. */
const DETAIL_ITEMS = 3;

export function listed(items: string[]): string {
  const shown = items.slice(0, DETAIL_ITEMS).join('; ');
  return items.length > DETAIL_ITEMS ? `${shown}; and ${items.length - DETAIL_ITEMS} more` : shown;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, major: 1, minor: 2 };

/** What the gates judge of a property or a scenario result. */
type Judged = Pick<PropertyResult | ScenarioResult, 'status' | 'severity'>;

/** Orders results by severity, critical first (stable: suite order within a severity). */
export function bySeverity(a: Judged, b: Judged): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
}

/**
 * Whether the properties or scenarios gate fails on this result: an errored one always (nothing
 * was decided), a failed one when critical or major, a minor one only under --strict.
 */
export function failsGate(r: Judged, strict: boolean): boolean {
  return r.status === 'errored' || (r.status === 'failed' && (strict || r.severity !== 'minor'));
}

/**
 * Every applicable property passed, minor ones aside unless `strict`. `outcome` is the suite's
 * results, or why there are none. Minor failures the gate lets through are still named.
 */
export function propertiesGate(
  backend: string,
  outcome: PropertyResult[] | { skipped: string } | { error: string },
  strict: boolean,
): Gate {
  const gate = (status: Gate['status'], detail: string): Gate => ({ name: 'properties', backend, status, detail });
  if ('skipped' in outcome) return gate('skipped', outcome.skipped);
  if ('error' in outcome) return gate('failed', `the suite could not run: ${outcome.error}`);
  const applicable = outcome.filter((r) => r.status !== 'not-applicable');
  const bad = applicable.filter((r) => r.status === 'failed' || r.status === 'errored').sort(bySeverity);
  const na = outcome.length - applicable.length;
  const counts = `${applicable.length - bad.length}/${applicable.length} applicable passed${na > 0 ? `, ${na} not applicable` : ''}`;
  if (applicable.length === 0) return gate('failed', 'no applicable property ran');
  const named = (rs: PropertyResult[]): string => rs.map((r) => `${r.id} ${r.status} (${r.severity})`).join(', ');
  const blocking = bad.filter((r) => failsGate(r, strict));
  const tolerated = bad.filter((r) => !failsGate(r, strict));
  const lenient = tolerated.length > 0 ? `; minor, failing the gate only with --strict: ${named(tolerated)}` : '';
  if (blocking.length > 0) return gate('failed', `${counts}; ${named(blocking)}${lenient}`);
  return gate('passed', `${counts}${lenient}`);
}

/**
 * Every applicable wall-clock scenario of a real store passed, minor ones aside unless `strict`
 * (the properties gate's rule); skipped when none ran. The detail names what failed, with its figures.
 */
export function scenariosGate(backend: string, results: readonly ScenarioResult[], strict: boolean): Gate {
  const gate = (status: Gate['status'], detail: string): Gate => ({ name: 'scenarios', backend, status, detail });
  const applicable = results.filter((r) => r.status !== 'not-applicable');
  if (applicable.length === 0)
    return gate(
      'skipped',
      results.length === 0 ? 'no scenario ran' : `none of its ${results.length} scenarios applies`,
    );
  const bad = applicable.filter((r) => r.status === 'failed' || r.status === 'errored').sort(bySeverity);
  const na = results.length - applicable.length;
  const counts = `${applicable.length - bad.length}/${applicable.length} applicable passed${na > 0 ? `, ${na} not applicable` : ''}`;
  const named = (rs: ScenarioResult[]): string =>
    listed(rs.map((r) => `${r.id} ${r.status} (${r.severity}): ${scenarioText(r)}`));
  const blocking = bad.filter((r) => failsGate(r, strict));
  const tolerated = bad.filter((r) => !failsGate(r, strict));
  const lenient = tolerated.length > 0 ? `; minor, failing the gate only with --strict: ${named(tolerated)}` : '';
  if (blocking.length > 0) return gate('failed', `${counts}; ${named(blocking)}${lenient}`);
  return gate('passed', `${counts}${lenient}`);
}

function metricText(metric: BudgetCheck['metric'], value: number): string {
  return metric === 'overheadRatio' ? `${value.toFixed(2)}x` : `${formatUs(value)} µs`;
}

export function budgetCheckText(check: BudgetCheck): string {
  const { interval } = check;
  const ci =
    interval === undefined
      ? ''
      : ` [${Math.round(interval.confidence * 100)}% CI ${metricText(check.metric, interval.low)}..${metricText(check.metric, interval.high)}, ${interval.rounds} rounds]`;
  const measured = check.actual === null ? 'not measured' : `${metricText(check.metric, check.actual)}${ci}`;
  return `${check.conditions.op} ${check.metric} ${measured} (limit ${metricText(check.metric, check.limit)})${check.row === null ? '' : ` at ${check.row}`}`;
}

/** Each limit of the backend's budget held on every row it applies to. */
export function budgetsGate(backend: string, outcome: BudgetCheck[] | { skipped: string }): Gate {
  const gate = (status: Gate['status'], detail: string): Gate => ({ name: 'budgets', backend, status, detail });
  if (!Array.isArray(outcome)) return gate('skipped', outcome.skipped);
  const checked = outcome.filter((c) => c.status !== 'skipped');
  const failed = outcome.filter((c) => c.status === 'failed');
  const unmeasured = outcome.length - checked.length;
  if (checked.length === 0)
    return gate(
      'skipped',
      outcome.length === 0
        ? 'no budget for this backend'
        : `none of its ${outcome.length} limits matched a benchmark row`,
    );
  const tail = unmeasured > 0 ? `, ${unmeasured} not measured in this run` : '';
  if (failed.length > 0)
    return gate(
      'failed',
      `${failed.length} of ${checked.length} limits exceeded${tail}: ${listed(failed.map(budgetCheckText))}`,
    );
  return gate('passed', `${checked.length} limits held${tail}`);
}

export function regressionRowText(row: RegressionRow): string {
  const ci = row.changeLow === null ? '' : ` (CI ${formatChange(row.changeLow)} .. ${formatChange(row.changeHigh)})`;
  return `${row.driver === 'raw' ? 'raw ' : ''}${row.op} ${rowConditions(row)} ${row.verdict} ${formatChange(row.change)}${ci}`;
}

/** No row of the backend is significantly slower than the baseline by more than the minimum effect. */
export function regressionGate(backend: string, summary: RegressionSummary): Gate {
  const gate = (status: Gate['status'], detail: string): Gate => ({ name: 'regression', backend, status, detail });
  const rows = summary.rows.filter((r) => r.backend === backend);
  const compared = rows.filter((r) => r.verdict !== 'not compared');
  const failed = rows.filter((r) => r.status === 'failed');
  const effect = `${Math.round(summary.minEffect * 100)}%`;
  if (compared.length === 0) return gate('skipped', 'no benchmark row to compare with the baseline');
  if (failed.length > 0)
    return gate(
      'failed',
      `${failed.length} of ${compared.length} rows significantly slower by more than ${effect}: ${listed(failed.map(regressionRowText))}`,
    );
  const faster = compared.filter((r) => r.verdict === 'faster').length;
  return gate(
    'passed',
    `${compared.length} rows compared: none slower by more than ${effect}, ${faster} faster, ${compared.length - faster} no significant change`,
  );
}

/** A run passes only when no gate failed and at least one passed: one that checked nothing is no pass. */
export function overallStatus(gates: readonly Gate[]): RunStatus {
  if (gates.some((g) => g.status === 'failed')) return 'failed';
  return gates.some((g) => g.status === 'passed') ? 'passed' : 'nothing-verified';
}
