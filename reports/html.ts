// report.html: one self-contained page (inline CSS and SVG, no script, no network) to compare
// the backends: the store-choice table, latency per operation, the latency distribution as
// percentile curves, the scaling series when measured, and every table.
import type { BenchmarkRow } from '../benchmarks/result.js';
import { groupedBarChart, lineChart, PALETTE, percentileChart, type PercentileSeries } from './charts.js';
import { conditionsText, formatUs, rowConditions } from '../benchmarks/format.js';
import { REGRESSION_HEADER, regressionCells } from './format.js';
import { budgetCheckText, bySeverity } from './gates.js';
import { HEADLINE_OPS, headlineRow } from './headline.js';
import type { BackendReport, Report } from './report.js';
import { scenarioText } from './scenario-text.js';
import { storeChoice } from './store-choice.js';
import { escapeText } from './xml.js';

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1400px; }
h1 .passed, td.passed { color: #1a7f37; } h1 .failed, h1 .nothing-verified, td.failed { color: #cf222e; } td.skipped { color: #777; }
table { border-collapse: collapse; margin: 8px 0 24px; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
td.passed, td.failed, td.skipped { white-space: nowrap; }
table.choice td.failed, table.choice td.passed, table.choice td.skipped { white-space: normal; min-width: 90px; }
`;

type Cell = string | { text: string; cls?: string };

function table(header: string[], rows: Cell[][], cls?: string): string {
  const th = header.map((h) => `<th>${escapeText(h)}</th>`).join('');
  const td = (c: Cell): string =>
    typeof c === 'string' ? `<td>${escapeText(c)}</td>` : `<td class="${c.cls ?? ''}">${escapeText(c.text)}</td>`;
  const attr = cls === undefined ? '' : ` class="${cls}"`;
  return `<table${attr}><thead><tr>${th}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('')}</tbody></table>`;
}

const num = (text: string): Cell => ({ text, cls: 'num' });
const status = (text: string): Cell => ({ text, cls: text });

function backendRows(report: Report): BenchmarkRow[] {
  return report.backends.flatMap((b) => b.benchmarks.filter((r) => r.driver === 'backend'));
}

/** Latency per op per backend, one chart per payload size, at 1 in flight on the smallest dataset. */
function latencyCharts(report: Report): string[] {
  const rows = backendRows(report).filter((r) => r.concurrency === 1 && r.mode === 'closed-loop');
  if (rows.length === 0) return [];
  const smallest = Math.min(...rows.map((r) => r.datasetSize));
  const base = rows.filter((r) => r.datasetSize === smallest);
  const payloads = [...new Set(base.map((r) => r.payloadBytes))].sort((a, b) => a - b);
  return payloads.map((payload) => {
    const these = base.filter((r) => r.payloadBytes === payload);
    return groupedBarChart({
      id: `latency-${payload}`,
      title: `Latency per operation: ${smallest} sessions, ${payload} B payload, 1 in flight`,
      groups: [...new Set(these.map((r) => r.op))],
      series: [...new Set(these.map((r) => r.backend))],
      value: (op, backend) => {
        const r = these.find((x) => x.op === op && x.backend === backend);
        return r === undefined ? undefined : { p50: r.p50Us, p99: r.p99Us };
      },
    });
  });
}

/** p50 against the dataset size, for every op measured at more than one size. */
function scalingCharts(report: Report): string[] {
  const rows = backendRows(report).filter((r) => r.concurrency === 1 && r.mode === 'closed-loop');
  const ops = [...new Set(rows.map((r) => r.op))];
  return ops.flatMap((op) => {
    const these = rows.filter((r) => r.op === op);
    if (new Set(these.map((r) => r.datasetSize)).size < 2) return [];
    const payload = Math.min(...these.map((r) => r.payloadBytes));
    const series = [...new Set(these.map((r) => r.backend))].map((backend) => ({
      name: backend,
      points: these
        .filter((r) => r.backend === backend && r.payloadBytes === payload)
        .map((r): [number, number] => [r.datasetSize, r.p50Us]),
    }));
    return [
      lineChart({
        id: `scaling-${op}`,
        title: `Scaling: ${op} p50 by dataset size (${payload} B)`,
        xLabel: 'sessions in the store',
        yLabel: 'p50 µs (log)',
        series,
      }),
    ];
  });
}

/** The ops a store is chosen by, in the order their curves are drawn; every mixed workload after them. */
const CURVE_OPS: readonly string[] = [HEADLINE_OPS.fetch, HEADLINE_OPS.store, 'update-metadata', HEADLINE_OPS.touch];

/**
 * Percentile curves per op, one per store at the headline conditions (its raw driver dashed in
 * the same colour), and one chart per op of open-loop rows, each store at its own arrival rate.
 */
function distributionCharts(report: Report): string[] {
  const rows = report.backends.flatMap((b) => b.benchmarks).filter((r) => r.percentiles !== undefined);
  const ops = [
    ...CURVE_OPS.filter((op) => rows.some((r) => r.op === op)),
    ...new Set(rows.filter((r) => r.op.startsWith('mixed')).map((r) => r.op)),
  ];
  // A store keeps its colour on every chart: the one of its place in the report.
  const curve = (r: BenchmarkRow, name: string, store: number): PercentileSeries => ({
    name,
    points: r.percentiles!,
    samples: r.samples,
    color: PALETTE[store % PALETTE.length]!,
    dashed: r.driver === 'raw',
  });
  return ops.flatMap((op) => {
    const heads = report.backends.flatMap((b, store) => {
      const head = headlineRow(b.benchmarks, op);
      return head?.percentiles === undefined ? [] : [{ b, store, head }];
    });
    const closed = heads.flatMap(({ b, store, head }) => {
      const raw = b.benchmarks.find(
        (r) => r.driver === 'raw' && r.op === op && rowConditions(r) === rowConditions(head) && r.percentiles,
      );
      return [curve(head, b.name, store), ...(raw === undefined ? [] : [curve(raw, `${b.name} (raw)`, store)])];
    });
    const openRows = report.backends.flatMap((b, store) =>
      b.benchmarks
        .filter((r) => r.op === op && r.mode === 'open-loop' && r.driver === 'backend' && r.percentiles)
        .map((r) => ({ r, series: curve(r, `${b.name} @${r.arrivalRate}/s`, store) })),
    );
    const charts: string[] = [];
    if (closed.length > 0)
      charts.push(
        percentileChart({
          id: `percentiles-${op}`,
          title: `${op} latency by percentile (${rowConditions(heads[0]!.head)})`,
          series: closed,
        }),
      );
    if (openRows.length > 0)
      charts.push(
        percentileChart({
          id: `percentiles-${op}-open-loop`,
          // Each store at its own arrival rate (half its closed-loop throughput): the rates are in the legend.
          title: `${op} latency by percentile (${conditionsText(openRows[0]!.r)})`,
          series: openRows.map((o) => o.series),
        }),
      );
    return charts;
  });
}

function choiceSection(report: Report): string {
  const choice = storeChoice(report);
  const rows = choice.rows.map((cells) =>
    cells.map((c): Cell =>
      c.numeric ? num(c.text) : c.status === undefined ? c.text : { text: c.text, cls: c.status },
    ),
  );
  const legend =
    choice.scenarios.length === 0
      ? ''
      : `<p>Scenarios, on the store's own clock (✓ passed, ✗ failed, n/a not applicable):</p><ul>${choice.scenarios
          .map((s) => `<li><code>${escapeText(s.id)}</code>: ${escapeText(s.statement)}</li>`)
          .join('')}</ul>`;
  const reasons =
    choice.notApplicable.length === 0
      ? ''
      : `<p>Not applicable:</p><ul>${choice.notApplicable
          .map(
            (n) =>
              `<li><strong>${escapeText(n.store)}</strong> (${escapeText(n.checks.join(', '))}): ${escapeText(n.reason)}</li>`,
          )
          .join('')}</ul>`;
  return `${table(choice.header, rows, 'choice')}${legend}${reasons}`;
}

function scenariosSection(backend: BackendReport): string {
  const scenarios = backend.scenarios ?? [];
  if (scenarios.length === 0) return '';
  const rows = scenarios.map((s): Cell[] => [
    s.id,
    s.severity,
    status(s.status),
    s.statement,
    scenarioText(s),
    num(String(s.durationMs)),
  ]);
  return `<h3>${escapeText(backend.name)}: scenarios</h3>${table(['Scenario', 'Severity', 'Status', 'Statement', 'Outcome', 'ms'], rows)}`;
}

function propertiesSection(backend: BackendReport): string {
  if (backend.properties.length === 0) return '';
  const rows = backend.properties.map((p): Cell[] => [
    p.id,
    p.severity,
    status(p.status),
    p.statement,
    num(String(p.runs)),
    num(String(p.durationMs)),
  ]);
  const failures = backend.properties
    .filter((p) => p.status === 'failed' || p.status === 'errored')
    .sort(bySeverity)
    .map((p) => {
      const details =
        p.status === 'failed' ? [p.message, `Counterexample: ${p.counterexample}`, `Replay: ${p.replay}`] : [p.message];
      return `<h4>${escapeText(p.severity)}: ${escapeText(p.id)} ${p.status}</h4><pre>${escapeText(details.join('\n\n'))}</pre>`;
    });
  return `<h3>${escapeText(backend.name)}: properties</h3>${table(['Property', 'Severity', 'Status', 'Statement', 'Runs', 'ms'], rows)}${failures.join('')}`;
}

function benchmarkTable(report: Report): string {
  const rows = report.backends.flatMap((b) =>
    b.benchmarks.map((r): Cell[] => [
      r.backend,
      r.driver,
      r.op,
      rowConditions(r),
      num(formatUs(r.p50Us)),
      num(formatUs(r.p95Us)),
      num(formatUs(r.p99Us)),
      num(formatUs(r.p999Us)),
      num(formatUs(r.maxUs)),
      num(Math.round(r.opsPerSec).toLocaleString('en-US')),
      num(String(r.samples)),
      num(`${r.rme.toFixed(2)}%`),
      num(r.overheadRatio === null ? '–' : `${r.overheadRatio.toFixed(2)}x`),
    ]),
  );
  return table(
    [
      'Backend',
      'Driver',
      'Op',
      'Conditions',
      'p50 µs',
      'p95 µs',
      'p99 µs',
      'p99.9 µs',
      'max µs',
      'ops/s',
      'samples',
      'rme',
      'overhead',
    ],
    rows,
  );
}

function regressionSection(report: Report): string {
  const summary = report.regression;
  if (summary === undefined) return '';
  const rows = summary.rows.map((r) => [...regressionCells(r), status(r.status)]);
  return `<h2>Regression against ${escapeText(summary.baseline)}</h2>${table([...REGRESSION_HEADER, 'Gate'], rows)}`;
}

export function renderHtml(report: Report): string {
  const env = report.environment;
  const charts = [...latencyCharts(report), ...scalingCharts(report)];
  const distribution = distributionCharts(report);
  const budgetRows = report.backends.flatMap((b) =>
    b.budgets.map((c): Cell[] => [b.name, budgetCheckText(c), status(c.status)]),
  );
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sessionbench report</title><style>${STYLE}</style></head>
<body>
<h1>sessionbench verify: <span class="${report.status}">${report.status}</span></h1>
<p>${escapeText(`Profile ${env.profile}, seed ${env.seed}; Node ${env.node} on ${env.cpu.model} ×${env.cpu.count} (${env.os.platform} ${env.os.release}); ${report.generatedAt}`)}</p>
<h2>Choosing a store</h2>
${choiceSection(report)}
<h2>Backends</h2>
${table(
  ['Backend', 'Kind', 'Persistent', 'Shared', 'Status', 'Note'],
  report.backends.map((b) => [
    b.name,
    b.kind,
    String(b.capabilities.persistent),
    String(b.capabilities.shared),
    status(b.status),
    b.skipReason ?? '',
  ]),
)}
<h2>Gates</h2>
${table(
  ['Backend', 'Gate', 'Status', 'Detail'],
  report.gates.map((g) => [g.backend, g.name, status(g.status), g.detail]),
)}
<h2>Latency</h2>
<div class="charts">${charts.length === 0 ? '<p>No benchmark in this run.</p>' : charts.join('\n')}</div>
<h2>Latency distribution</h2>
<div class="charts">${distribution.length === 0 ? '<p>No benchmark in this run.</p>' : distribution.join('\n')}</div>
<h2>Properties</h2>
${report.backends.map(propertiesSection).join('\n')}
${report.backends.some((b) => (b.scenarios ?? []).length > 0) ? `<h2>Scenarios</h2>\n${report.backends.map(scenariosSection).join('\n')}` : ''}
<h2>Benchmarks</h2>
${benchmarkTable(report)}
<h2>Budgets</h2>
${budgetRows.length === 0 ? '<p>No budget checked.</p>' : table(['Backend', 'Limit', 'Status'], budgetRows)}
${regressionSection(report)}
</body></html>
`;
}
