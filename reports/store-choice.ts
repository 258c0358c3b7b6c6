// "Choosing a store": one row per store, reference backend or package, with what a team weighs
// when it picks one: its critical and major failures, each wall-clock scenario's outcome, the
// latency of the three calls every request makes, and the server it ran on. summary.md and
// report.html render the same rows.
import { referenceBackend } from '../backends/registry.js';
import { formatUs } from '../benchmarks/format.js';
import type { ScenarioResult } from '../properties/scenarios/result.js';
import { HEADLINE_OPS, headlineRow } from './headline.js';
import type { BackendReport, GateStatus, Report } from './report.js';
import { scenarioCell } from './scenario-text.js';

export interface ChoiceCell {
  text: string;
  /** How the cell reads at a glance; report.html colours it. */
  status?: GateStatus;
  /** Figures: report.html aligns them and keeps them on one line. */
  numeric?: true;
}

export interface StoreChoice {
  header: string[];
  rows: ChoiceCell[][];
  /** The scenarios that head a column, with what each checks (the legend). */
  scenarios: { id: string; statement: string }[];
  /** Why checks did not apply to a store, in the words of their results, once per distinct reason. */
  notApplicable: NotApplicable[];
}

export interface NotApplicable {
  store: string;
  /** The properties and scenarios the reason rules out. */
  checks: string[];
  reason: string;
}

const CALLS = [
  ['fetch', HEADLINE_OPS.fetch],
  ['store', HEADLINE_OPS.store],
  ['touch', HEADLINE_OPS.touch],
] as const;

type Blocking = { id: string; severity: string; what: 'property' | 'scenario' };

function blocking(b: BackendReport): Blocking[] {
  const bad = (r: { status: string; severity: string }): boolean =>
    (r.status === 'failed' || r.status === 'errored') && r.severity !== 'minor';
  return [
    ...b.properties.filter(bad).map((r) => ({ id: r.id, severity: r.severity, what: 'property' as const })),
    ...(b.scenarios ?? []).filter(bad).map((r) => ({ id: r.id, severity: r.severity, what: 'scenario' as const })),
  ];
}

function failuresCell(b: BackendReport): ChoiceCell {
  if (b.skipReason !== undefined) return { text: `not run: ${b.skipReason}`, status: 'skipped' };
  if (b.properties.length === 0 && (b.scenarios ?? []).length === 0) {
    const suite = b.gates.find((g) => g.name === 'properties');
    return suite?.status === 'failed'
      ? { text: suite.detail, status: 'failed' }
      : { text: 'not checked', status: 'skipped' };
  }
  const found = blocking(b);
  if (found.length === 0) return { text: 'none', status: 'passed' };
  const of = (severity: string): string[] => {
    const these = found.filter((f) => f.severity === severity);
    return these.length === 0
      ? []
      : [`${these.length} ${severity}: ${these.map((f) => `${f.id} (${f.what})`).join(', ')}`];
  };
  return { text: [...of('critical'), ...of('major')].join('; '), status: 'failed' };
}

function scenarioStatus(r: ScenarioResult): GateStatus {
  if (r.status === 'passed') return 'passed';
  return r.status === 'not-applicable' ? 'skipped' : 'failed';
}

function latencyCell(b: BackendReport, op: string): ChoiceCell {
  const r = headlineRow(b.benchmarks, op);
  return { text: r === undefined ? '–' : `${formatUs(r.p50Us)} / ${formatUs(r.p99Us)} µs`, numeric: true };
}

function serverCell(b: BackendReport): ChoiceCell {
  if (b.server !== undefined) return { text: b.server };
  const inProcess = b.kind === 'reference' && referenceBackend(b.spec)?.server === null;
  return { text: inProcess ? 'none (in process)' : '–' };
}

/** Each distinct not-applicable reason of a store's properties and scenarios, with the checks it covers. */
function reasons(b: BackendReport): NotApplicable[] {
  const byReason = new Map<string, string[]>();
  const add = (reason: string, id: string): void => void byReason.set(reason, [...(byReason.get(reason) ?? []), id]);
  for (const p of b.properties) if (p.status === 'not-applicable') add(p.message, p.id);
  for (const s of b.scenarios ?? []) if (s.status === 'not-applicable') add(s.reason, s.id);
  return [...byReason].map(([reason, checks]) => ({ store: b.name, checks, reason }));
}

export function storeChoice(report: Report): StoreChoice {
  const scenarios = new Map<string, string>();
  for (const b of report.backends)
    for (const s of b.scenarios ?? []) if (!scenarios.has(s.id)) scenarios.set(s.id, s.statement);
  const ids = [...scenarios.keys()];
  const rows = report.backends.map((b): ChoiceCell[] => [
    { text: b.name },
    { text: b.kind },
    failuresCell(b),
    ...ids.map((id): ChoiceCell => {
      const r = b.scenarios?.find((s) => s.id === id);
      return r === undefined ? { text: '–' } : { text: scenarioCell(r), status: scenarioStatus(r) };
    }),
    ...CALLS.map(([, op]) => latencyCell(b, op)),
    serverCell(b),
  ]);
  return {
    header: [
      'Store',
      'Kind',
      'Critical / major failures',
      ...ids,
      ...CALLS.map(([call, op]) => `${call} p50 / p99 (${op})`),
      'Server',
    ],
    rows,
    scenarios: ids.map((id) => ({ id, statement: scenarios.get(id)! })),
    notApplicable: report.backends.flatMap(reasons),
  };
}
