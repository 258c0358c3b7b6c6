// summary.md: what a person reads first. One row per backend, then every failure with what
// it needs to be acted on: the counterexample and the command that replays it.
import type { PropertyErrored, PropertyFailed } from '../properties/engine/result.js';
import type { ScenarioResult } from '../properties/scenarios/result.js';
import { budgetCheckText, bySeverity, failsGate } from './gates.js';
import { conditionsText, formatUs } from '../benchmarks/format.js';
import { REGRESSION_HEADER, regressionCells } from './format.js';
import { HEADLINE_OPS, headlineRow } from './headline.js';
import type { BackendReport, Gate, RegressionSummary, ReliabilityReport, Report } from './report.js';
import { scenarioText } from './scenario-text.js';
import { storeChoice } from './store-choice.js';
import type { CheckSummary } from '../benchmarks/faults/linearizability.js';
import { legalText } from './xml.js';

const STATUS_MARK: Record<string, string> = { passed: '✅', failed: '❌', skipped: '⏭️', 'nothing-verified': '❌' };

function cell(text: string): string {
  return legalText(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function row(cells: string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

function table(header: string[], rows: string[][]): string {
  return [row(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(row)].join('\n');
}

/** A fenced block that no backtick run inside the content can close early. */
function fenced(content: string, info = ''): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${legalText(content)}\n${fence}`;
}

function latencyCell(backend: BackendReport, op: string): string {
  const r = headlineRow(backend.benchmarks, op);
  return r === undefined ? '–' : `${formatUs(r.p50Us)} / ${formatUs(r.p99Us)} µs`;
}

function gateOf(backend: BackendReport, name: Gate['name']): Gate | undefined {
  return backend.gates.find((g) => g.name === name);
}

function propertiesCell(backend: BackendReport): string {
  const props = backend.properties;
  if (props.length === 0) return gateOf(backend, 'properties')?.status === 'failed' ? 'did not run' : '–';
  const applicable = props.filter((p) => p.status !== 'not-applicable');
  const passed = applicable.filter((p) => p.status === 'passed').length;
  const na = props.length - applicable.length;
  return `${passed}/${applicable.length}${na > 0 ? ` (${na} n/a)` : ''}`;
}

function budgetsCell(backend: BackendReport): string {
  const checked = backend.budgets.filter((c) => c.status !== 'skipped');
  if (checked.length === 0) return '–';
  const held = checked.filter((c) => c.status === 'passed').length;
  return `${held}/${checked.length} held`;
}

function statusCell(backend: BackendReport): string {
  const reason = backend.skipReason === undefined ? '' : `: ${backend.skipReason}`;
  return `${STATUS_MARK[backend.status]} ${backend.status}${reason}`;
}

function backendTable(report: Report): string {
  return table(
    ['Backend', 'Kind', 'Properties passed', `fetch p50/p99`, `store p50/p99`, 'Budgets', 'Status'],
    report.backends.map((b) => [
      b.name,
      b.kind,
      propertiesCell(b),
      latencyCell(b, HEADLINE_OPS.fetch),
      latencyCell(b, HEADLINE_OPS.store),
      budgetsCell(b),
      statusCell(b),
    ]),
  );
}

function propertyFailure(backend: BackendReport, p: PropertyFailed | PropertyErrored, strict: boolean): string {
  const mark = failsGate(p, strict) ? '❌' : '⚠️';
  const lenient = failsGate(p, strict) ? '' : ' (fails the gate only with --strict)';
  const parts = [
    `### ${mark} ${p.severity}: ${legalText(backend.name)}: property \`${p.id}\` ${p.status}${lenient}`,
    '',
    `_${legalText(p.statement)}_`,
    '',
    fenced(p.message, 'text'),
  ];
  if (p.status === 'failed') {
    parts.push(
      '',
      'Counterexample:',
      '',
      fenced(p.counterexample, 'text'),
      '',
      `Seed ${p.seed}, path ${p.path}.`,
      '',
      'Replay:',
      '',
      fenced(p.replay, 'sh'),
    );
  } else if (p.seed !== undefined) {
    parts.push('', `Seed ${p.seed}.`);
  }
  return parts.join('\n');
}

type FailedScenario = Extract<ScenarioResult, { status: 'failed' | 'errored' }>;

function scenarioFailure(backend: BackendReport, s: FailedScenario, strict: boolean): string {
  const mark = failsGate(s, strict) ? '❌' : '⚠️';
  const lenient = failsGate(s, strict) ? '' : ' (fails the gate only with --strict)';
  return [
    `### ${mark} ${s.severity}: ${legalText(backend.name)}: scenario \`${s.id}\` ${s.status}${lenient}`,
    '',
    `_${legalText(s.statement)}_`,
    '',
    fenced(scenarioText(s).replace(/; /g, '\n'), 'text'),
  ].join('\n');
}

/** Property and scenario failures of every backend, critical first; then what else failed, per backend. */
function failures(report: Report): string[] {
  const strict = report.environment.strict;
  const failed = report.backends.flatMap((backend) => [
    ...backend.properties.flatMap((p) =>
      p.status === 'failed' || p.status === 'errored'
        ? [{ r: p, text: () => propertyFailure(backend, p, strict) }]
        : [],
    ),
    ...(backend.scenarios ?? []).flatMap((s) =>
      s.status === 'failed' || s.status === 'errored'
        ? [{ r: s, text: () => scenarioFailure(backend, s, strict) }]
        : [],
    ),
  ]);
  const sections = failed.sort((a, b) => bySeverity(a.r, b.r)).map(({ text }) => text());
  if (report.status === 'nothing-verified')
    sections.unshift(
      '### ❌ Nothing was verified\n\nNo gate passed: every backend was skipped or every check was (see the Gates above).',
    );
  for (const backend of report.backends) {
    const overBudget = backend.budgets.filter((c) => c.status === 'failed');
    if (overBudget.length > 0) {
      sections.push(
        [
          `### ❌ ${legalText(backend.name)}: latency budget exceeded`,
          '',
          ...overBudget.map((c) => `- ${legalText(budgetCheckText(c))}`),
        ].join('\n'),
      );
    }
    // Gates whose failure the lists above don't already explain (setup, availability, regression).
    for (const gate of backend.gates) {
      if (
        gate.status !== 'failed' ||
        (gate.name === 'properties' && backend.properties.length > 0) ||
        (gate.name === 'scenarios' && (backend.scenarios ?? []).length > 0) ||
        gate.name === 'budgets'
      )
        continue;
      sections.push(`### ❌ ${legalText(backend.name)}: ${gate.name}\n\n${legalText(gate.detail)}`);
    }
  }
  return sections;
}

/**
 * Every overhead-ratio limit that was checked, with the ratio's confidence interval: a limit
 * fails only when the whole interval is above it, so a reader sees how close each one came.
 */
function ratioSection(report: Report): string | undefined {
  const rows = report.backends.flatMap((b) =>
    b.budgets
      .filter((c) => c.metric === 'overheadRatio' && c.actual !== null)
      .map((c) => {
        const ci =
          c.interval === undefined
            ? '–'
            : `${c.interval.low.toFixed(2)}x .. ${c.interval.high.toFixed(2)}x (${Math.round(c.interval.confidence * 100)}%, ${c.interval.rounds} rounds)`;
        return [
          b.name,
          c.conditions.op,
          c.row ?? '–',
          `${c.actual!.toFixed(2)}x`,
          ci,
          `${c.limit.toFixed(2)}x`,
          `${STATUS_MARK[c.status]} ${c.status}`,
        ];
      }),
  );
  if (rows.length === 0) return undefined;
  const legend =
    'Ratio: backend p50 / raw-driver p50, both measured in the same interleaved rounds. Interval: the sign-test confidence interval of the median ' +
    'of the per-round ratios, with its exact coverage; a limit fails only when the whole interval lies above it.';
  return `${legend}\n\n${table(['Backend', 'Op', 'Conditions', 'Ratio', 'Interval', 'Limit', 'Status'], rows)}`;
}

/** The regression table, shared by summary.md and `sessionbench compare`. */
export function regressionTable(summary: RegressionSummary): string {
  const rows = summary.rows.map((r) => [...regressionCells(r), `${STATUS_MARK[r.status]} ${r.status}`]);
  const legend =
    `Baseline ${legalText(summary.baseline)}. Change: Hodges–Lehmann shift of the retained samples relative to the baseline median, ` +
    `with its ${Math.round((1 - summary.alpha) * 100)}% confidence interval; p: Mann–Whitney U, Holm-adjusted across ${summary.rows.filter((r) => r.p !== null).length} rows. ` +
    `A row is slower or faster when the change is significant (p < ${summary.alpha}) and larger than ${Math.round(summary.minEffect * 100)}%; a slower row fails the gate.`;
  return `${legend}\n\n${table([...REGRESSION_HEADER, 'Gate'], rows)}`;
}

function ms(value: number | null): string {
  return value === null ? '–' : String(Math.round(value));
}

/** A history check's verdict counts, anomalies by kind, and its slowest id. */
function checkCells(check: CheckSummary): string[] {
  return [
    ...[check.ids, check.ok, check.anomalous, check.unknown].map(String),
    countsText(Object.fromEntries(Object.entries(check.kinds).filter(([, n]) => n > 0))),
    check.maxMsPerId.toFixed(1),
  ];
}

/** "CONFLICT 2, UNAVAILABLE 1", or – when there is none. */
function countsText(codes: Record<string, number>): string {
  return (
    Object.entries(codes)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ') || '–'
  );
}

/** One small table per scenario that ran; what a gate says is in the Gates list above. */
function reliabilitySection(r: ReliabilityReport): string {
  const parts: string[] = [`Profile ${r.profile}.`];
  const add = (title: string, header: string[], rows: string[][]): void => {
    if (rows.length > 0) parts.push(`### ${title}`, table(header, rows));
  };
  const serverKills = r.crash.filter((c) => c.restartMs !== undefined);
  add(
    'Crash durability (SIGKILL mid-write, reopen)',
    ['Backend', 'Durability', 'Kills', 'Acknowledged', 'Missing', 'Changed', 'Open failures'],
    r.crash
      .filter((c) => c.restartMs === undefined)
      .map((c) => [
        c.backend,
        c.durability,
        ...[c.kills, c.acknowledged, c.missing, c.changed, c.openFailures].map(String),
      ]),
  );
  add(
    'PostgreSQL server crash (SIGKILL of the server mid-write, restart, reopen)',
    [
      'Backend',
      'Durability',
      'Kills',
      'Acknowledged',
      'Missing',
      'Changed',
      'Open failures',
      'Restart ms (median / max)',
    ],
    serverKills.map((c) => [
      c.backend,
      c.durability,
      ...[c.kills, c.acknowledged, c.missing, c.changed, c.openFailures].map(String),
      `${c.restartMs!.median} / ${c.restartMs!.max}`,
    ]),
  );
  add(
    'Corruption (damaged files, reopen)',
    [
      'Backend',
      'Trials',
      'CORRUPT',
      'Read ok',
      'Read wrong',
      'List strangers',
      'Crashed',
      'Other errors',
      'Sessions lost',
    ],
    r.corruption.map((c) => [
      c.backend,
      ...[
        c.trials,
        c.corruptErrors,
        c.readOk,
        c.readWrong,
        c.listStrangers,
        c.crashed,
        c.otherErrors,
        c.sessionsLost,
      ].map(String),
    ]),
  );
  add(
    'Redis faults',
    ['Fault', 'Operations', 'Errors', 'Error codes', 'Recovery ms', 'Slowest failure ms', 'Hung'],
    r.redisFaults.map((f) => [
      f.fault,
      String(f.operations),
      String(f.errors),
      countsText(f.errorCodes),
      ms(f.recoveryMs),
      ms(f.slowestFailureMs),
      f.hung ? 'yes' : 'no',
    ]),
  );
  add(
    'PostgreSQL connections terminated (pg_terminate_backend under load)',
    [
      'Backend',
      'Terminations',
      'Connections',
      'Operations',
      'Error codes',
      'Recovery ms',
      'Slowest failure ms',
      'Hung',
      'Acknowledged',
      'Lost',
      'Reads behind',
    ],
    r.postgresTerminate.map((t) => [
      t.backend,
      ...[t.terminations, t.connectionsTerminated, t.operations].map(String),
      countsText(t.errorCodes),
      ms(t.recoveryMs),
      ms(t.slowestFailureMs),
      t.hung ? 'yes' : 'no',
      ...[t.acknowledged, t.lost, t.readsBehind].map(String),
    ]),
  );
  add(
    'Hostile input',
    ['Backend', 'Cases', 'Failures', 'Seed', 'Counterexample'],
    r.hostileInput.map((h) => [h.backend, String(h.cases), String(h.failures), String(h.seed), h.failure ?? '–']),
  );
  add(
    'Linearizability (two processes on one store, histories checked per session id)',
    ['Backend', 'Operations', 'Ids', 'Ok', 'Anomalous', 'Unknown', 'Anomalies', 'Slowest id ms'],
    r.histories.map((h) => [h.backend, String(h.check.operations), ...checkCells(h.check)]),
  );
  add(
    'Encryption cost (sqlite vs sqlite+aes)',
    ['Op', 'Conditions', 'Plain p50 µs', 'Encrypted p50 µs', 'Ratio'],
    (r.encryption ?? []).map((e) => [
      e.op,
      conditionsText(e),
      formatUs(e.plainP50Us),
      formatUs(e.encryptedP50Us),
      `${e.ratio.toFixed(2)}x`,
    ]),
  );
  const f = r.failover;
  if (f !== undefined) {
    add(
      'Redis Cluster failover (master SIGKILLed under load)',
      ['Writes attempted', 'Acknowledged', 'Failed', 'Lost', 'Unavailable window ms', 'Write stall ms', 'Promotion ms'],
      [
        [
          ...[f.attempted, f.acknowledged, f.failed, f.lost].map(String),
          ms(f.unavailableWindowMs),
          ms(f.writeStallMs),
          ms(f.promotionMs),
        ],
      ],
    );
    add(
      'Redis Cluster failover: client history checked per session id (reported, not gated)',
      ['Operations', 'Ids', 'Ok', 'Anomalous', 'Unknown', 'Anomalies', 'Slowest id ms'],
      [[String(f.linearizability.operations), ...checkCells(f.linearizability)]],
    );
    for (const a of f.linearizability.anomalies.slice(0, 3))
      parts.push(
        `${a.kind} on ${legalText(JSON.stringify(a.id))}: ${legalText(a.explanation)}`,
        fenced(a.lines.join('\n')),
      );
  }
  const spread = (s: { min: number; median: number; max: number } | null): string =>
    s === null ? '–' : `${s.min} / ${s.median} / ${s.max}`;
  add(
    "Redis Cluster partitions (a master and one client of three cut off past node timeout; losses are Redis's documented risk, not gated)",
    [
      'Replicas',
      'Partitions',
      'Acknowledged',
      'Lost',
      'Stale reads',
      'Lost updates',
      'Impossible reads',
      'Checker ok / anomalous / unknown ids',
      'Detect ms min / med / max',
      'Heal ms min / med / max',
    ],
    (r.partition ?? []).map((p) => [
      String(p.replicas),
      `${p.partitions}${p.undetected > 0 ? ` (${p.undetected} no failover)` : ''}`,
      ...[p.acknowledged, p.lost, p.staleReads, p.lostUpdates, p.impossibleReads].map(String),
      `${p.checker.ok} / ${p.checker.anomalous} / ${p.checker.unknown}`,
      spread(p.detectMs),
      spread(p.healMs),
    ]),
  );
  if (r.skipped.length > 0) parts.push('Not run:', r.skipped.map((s) => `- ${legalText(s)}`).join('\n'));
  return parts.join('\n\n');
}

/** One row per store, then the legend of the scenario columns and why checks did not apply. */
function choosingSection(report: Report): string {
  const choice = storeChoice(report);
  const parts = [
    table(
      choice.header,
      choice.rows.map((cells) => cells.map((c) => c.text)),
    ),
  ];
  if (choice.scenarios.length > 0)
    parts.push(
      `Scenarios, on the store's own clock (✓ passed, ✗ failed, n/a not applicable, with the deciding figure):\n\n${choice.scenarios
        .map((s) => `- \`${s.id}\`: ${legalText(s.statement)}`)
        .join('\n')}`,
    );
  if (choice.notApplicable.length > 0)
    parts.push(
      `Not applicable:\n\n${choice.notApplicable.map((n) => `- **${legalText(n.store)}** (${legalText(n.checks.join(', '))}): ${legalText(n.reason)}`).join('\n')}`,
    );
  return parts.join('\n\n');
}

function gateMode(strict: boolean): string {
  return strict
    ? 'strict gate (every property failure fails it)'
    : 'default gate (critical and major property failures fail it; minor ones only with --strict)';
}

export function renderSummary(report: Report): string {
  const env = report.environment;
  const failed = failures(report);
  const parts = [
    `# sessionbench verify: ${STATUS_MARK[report.status]} ${report.status}`,
    '',
    `Profile ${env.profile}, seed ${env.seed}, ${gateMode(env.strict)}; Node ${env.node} on ${legalText(env.cpu.model)} ×${env.cpu.count} (${env.os.platform} ${env.os.release}); ` +
      `${report.generatedAt}, ${(report.durationMs / 1000).toFixed(1)} s.`,
    '',
    backendTable(report),
    '',
    '## Gates',
    '',
    ...report.gates.map(
      (g) => `- ${STATUS_MARK[g.status]} **${legalText(g.backend)}** ${g.name}: ${legalText(g.detail)}`,
    ),
  ];
  parts.push('', '## Choosing a store', '', choosingSection(report));
  parts.push('', '## Failures', '', failed.length === 0 ? 'None.' : failed.join('\n\n'));
  const ratios = ratioSection(report);
  if (ratios !== undefined) parts.push('', '## Overhead ratio budgets', '', ratios);
  if (report.regression !== undefined)
    parts.push('', '## Regression against the baseline', '', regressionTable(report.regression));
  if (report.reliability !== undefined) parts.push('', '## Reliability', '', reliabilitySection(report.reliability));
  return `${parts.join('\n')}\n`;
}
