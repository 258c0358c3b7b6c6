// Latency budgets: per backend, per operation limits on p50 and p99 (µs) and on the overhead
// ratio over the raw driver. Absolute limits depend on the machine; the ratios carry across.
// A row measured in interleaved rounds is judged by confidence intervals: its overhead ratio by
// the benchmark's (fillOverheadRatios), its p50 by the sign-test interval of its rounds' p50s.
// A limit fails only when the whole interval is over it, so a correct backend whose figure
// straddles the limit on a noisy run (a shared CI machine's bursts) is not failed by chance.
// p99 is judged as measured: one run's tail is what a p99 limit is about.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchmarkRow, RatioInterval } from '../benchmarks/result.js';
import { INTERVAL_CONFIDENCE, medianInterval } from '../benchmarks/stats.js';
import { rowConditions } from '../benchmarks/format.js';
import { PACKAGE_ROOT } from '../backends/package-root.js';
import type { BudgetCheck, BudgetConditions, BudgetMetric } from './report.js';

export const DEFAULT_BUDGETS_FILE = join(PACKAGE_ROOT, 'reports', 'budgets.default.json');

export const BUDGET_METRICS: readonly BudgetMetric[] = ['p50Us', 'p99Us', 'overheadRatio'];
const CONDITION_FIELDS = ['datasetSize', 'payloadBytes', 'concurrency'] as const;
const MODES: readonly BenchmarkRow['mode'][] = ['closed-loop', 'open-loop'];

export type BudgetEntry = BudgetConditions & Partial<Record<BudgetMetric, number>>;

export interface Budgets {
  /** Backend name -> its limits. A backend with no entry has no budget (the gate is skipped). */
  backends: Record<string, BudgetEntry[]>;
}

function fail(file: string, where: string, what: string): never {
  throw new Error(`budgets file ${file}: ${where} ${what}`);
}

function parseEntry(file: string, where: string, value: unknown): BudgetEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(file, where, 'must be an object');
  const entry = value as Record<string, unknown>;
  if (typeof entry.op !== 'string' || entry.op === '') fail(file, where, 'needs an "op" string');
  for (const field of CONDITION_FIELDS) {
    const v = entry[field];
    if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0))
      fail(file, `${where}.${field}`, 'must be a non-negative integer');
  }
  if (entry.mode !== undefined && !MODES.includes(entry.mode as BenchmarkRow['mode']))
    fail(file, `${where}.mode`, `must be one of ${MODES.join(', ')}`);
  const metrics = BUDGET_METRICS.filter((m) => entry[m] !== undefined);
  if (metrics.length === 0) fail(file, where, `sets no limit (${BUDGET_METRICS.join(', ')})`);
  for (const m of metrics) {
    const v = entry[m];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      fail(file, `${where}.${m}`, 'must be a positive number');
  }
  const known = new Set<string>(['op', 'mode', ...CONDITION_FIELDS, ...BUDGET_METRICS]);
  const unknown = Object.keys(entry).filter((k) => !known.has(k));
  if (unknown.length > 0) fail(file, where, `has unknown field(s) ${unknown.join(', ')}`);
  return entry as unknown as BudgetEntry;
}

export function parseBudgets(text: string, file: string): Budgets {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    fail(file, 'is', `not JSON (${(err as Error).message})`);
  }
  const backends = (data as { backends?: unknown } | null)?.backends;
  if (typeof backends !== 'object' || backends === null || Array.isArray(backends))
    fail(file, 'needs', 'a "backends" object');
  const parsed: Record<string, BudgetEntry[]> = {};
  for (const [name, entries] of Object.entries(backends)) {
    if (!Array.isArray(entries)) fail(file, `backends.${name}`, 'must be an array');
    parsed[name] = entries.map((e, i) => parseEntry(file, `backends.${name}[${i}]`, e));
  }
  return { backends: parsed };
}

export function loadBudgets(file = DEFAULT_BUDGETS_FILE): Budgets {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read budgets file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseBudgets(text, file);
}

function conditionsOf(entry: BudgetEntry): BudgetConditions {
  const { op, datasetSize, payloadBytes, concurrency, mode } = entry;
  return Object.fromEntries(
    Object.entries({ op, datasetSize, payloadBytes, concurrency, mode }).filter(([, v]) => v !== undefined),
  ) as unknown as BudgetConditions;
}

function matches(entry: BudgetEntry, row: BenchmarkRow): boolean {
  return (
    row.driver === 'backend' &&
    row.op === entry.op &&
    CONDITION_FIELDS.every((f) => entry[f] === undefined || entry[f] === row[f]) &&
    (entry.mode === undefined || entry.mode === row.mode)
  );
}

/** The interval a limit on `metric` is judged by, when the row has one. */
function intervalOf(metric: BudgetMetric, row: BenchmarkRow): RatioInterval | undefined {
  if (metric === 'overheadRatio') return row.overheadRatioInterval;
  const rounds = row.roundP50sUs;
  if (metric !== 'p50Us' || rounds === undefined || rounds.length < 2) return undefined;
  const { low, high, confidence } = medianInterval(rounds, INTERVAL_CONFIDENCE);
  return { low, high, confidence, rounds: rounds.length };
}

/** Every limit of the backend's budget against every row it applies to; unmatched limits are skipped. */
export function checkBudgets(budgets: Budgets, backend: string, rows: readonly BenchmarkRow[]): BudgetCheck[] {
  const checks: BudgetCheck[] = [];
  for (const entry of budgets.backends[backend] ?? []) {
    const conditions = conditionsOf(entry);
    const matched = rows.filter((row) => matches(entry, row));
    for (const metric of BUDGET_METRICS) {
      const limit = entry[metric];
      if (limit === undefined) continue;
      if (matched.length === 0) checks.push({ conditions, metric, limit, actual: null, row: null, status: 'skipped' });
      for (const row of matched) {
        const actual = row[metric];
        const interval = intervalOf(metric, row);
        const judged = interval?.low ?? actual;
        const status = judged === null ? 'skipped' : judged <= limit ? 'passed' : 'failed';
        checks.push({
          conditions,
          metric,
          limit,
          actual,
          row: rowConditions(row),
          ...(interval === undefined ? {} : { interval }),
          status,
        });
      }
    }
  }
  return checks;
}
