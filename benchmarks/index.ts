// The latency benchmark: every target, per operation and condition, closed loop (tinybench)
// and open loop (fixed arrival rate, HDR histogram), beside the raw driver it wraps.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { BackendModule } from '../backends/contract.js';
import { type Profile, PROFILES } from '../backends/profiles.js';
import { isNetworked, isReferenceModule, referenceBackend } from '../backends/registry.js';
import { collectGarbage, type Measurement, measureClosedLoop, mergeRounds } from './closed-loop.js';
import { BENCH_NOW, Dataset, forEachConcurrently } from './dataset.js';
import { conditionsText, formatUs } from './format.js';
import { DEFAULT_MIXES, type Mix, resolveMix } from './mixes.js';
import { measureOpenLoop } from './open-loop.js';
import { createProgress, type Progress } from './progress.js';
import { rawDriverFor, rawSurface } from './raw.js';
import type { RawDriver, RawDriverFactory } from './raw-driver.js';
import { REDIS_BENCHMARK_OP, runRedisBenchmark } from './redis-benchmark.js';
import type { BenchmarkRow } from './result.js';
import {
  INTERVAL_CONFIDENCE,
  median,
  medianInterval,
  percentile,
  percentileLadder,
  sampleMarginOfError,
  summarize,
  thin,
} from './stats.js';
import { backendSurface, type Surface } from './surface.js';
import { defaultWorkers, WORKER_MIN_CONCURRENCY, WorkerLoad } from './worker-load.js';
import {
  CLEANUP_PER_SESSION,
  cleanupRunner,
  CONCURRENT_OPS,
  mixedRunner,
  type Op,
  OPS,
  type OpRunner,
  opRunner,
  type WorkloadContext,
} from './workloads.js';

export type { BenchmarkRow } from './result.js';
export type { Mix } from './mixes.js';

export interface BenchTarget {
  name: string;
  module: BackendModule;
  openOptions?: Record<string, unknown>;
  /** Measure the raw driver underneath too. Default: true for the reference backends, false (no raw driver) otherwise. */
  raw?: boolean;
  /** The raw driver to measure beside a module that wraps a reference backend (default: a reference backend's own). */
  rawDriver?: RawDriverFactory;
}

export interface BenchOptions {
  profile?: Profile;
  /** Operations (OPS; 'mixed' runs every mix in `mixes`). Default: all. */
  ops?: string[];
  /** The first (smallest) size gets every op; the larger ones the scaling ops (SCALE_OPS). */
  datasetSizes?: number[];
  /** Metadata bytes per session; the larger ones run at the smallest dataset size only. */
  payloads?: number[];
  /** In flight; above 1 only for backends whose operations do real I/O (see isAsyncBackend). */
  concurrency?: number[];
  openLoop?: boolean;
  /** Where backends get their directories (a temp dir under it, removed afterwards). Default os.tmpdir(). */
  dir?: string;
  onProgress?: (line: string) => void;
  /** Mixes for the mixed workload, by name (MIXES) or custom weights. Default ['web']. */
  mixes?: (string | Mix)[];
  /** Seed of the data and of every key sequence. Default 1. */
  seed?: number;
  /** Overrides the profile's tinybench time budget per row (ms); warmup is a quarter of it. */
  timeMs?: number;
  /** Overrides the profile's rounds per closed-loop row (backend and raw interleaved). */
  rounds?: number;
  /** Open-loop duration per row (ms). */
  openLoopMs?: number;
  /** Open-loop arrival rate (ops/s). Default: half the closed-loop throughput, rounded down to 1-2-5. */
  openLoopRate?: number;
  /**
   * Processes that drive a networked reference backend (and its raw driver) at
   * WORKER_MIN_CONCURRENCY and more in flight; 1 drives everything in-process. Default
   * defaultWorkers(): one per core but one (left to a local store), at most MAX_WORKERS.
   */
  workers?: number;
  /** Dataset size from which a networked backend is prefilled by bulk load (default BULK_PREFILL_FROM). */
  bulkPrefillFrom?: number;
}

/** The ops the scaling series runs at the larger dataset sizes. */
export const SCALE_OPS: readonly Op[] = ['create', 'fetch-hit', 'cleanup-expired'];
/** Ops measured open loop too (both read the hot set, as a web tier does under load). */
export const OPEN_LOOP_OPS: readonly Op[] = ['fetch-hit', 'mixed'];
/** Stores in flight while prefilling an async backend: enough for batched commits (lmdb) and pipelines (redis). */
export const PREFILL_CONCURRENCY = 256;
/** cleanup-expired's minimum calls: its time budget, seeding included, decides beyond these. */
const CLEANUP_ITERATIONS = { measured: 3, warmup: 1 };
/** list's minimum calls: each reads the whole store. */
const LIST_ITERATIONS = { measured: 10, warmup: 2 };
/** Open-loop arrival rates stay in a range the scheduler itself can keep up with. */
const OPEN_LOOP_RATE_RANGE = [100, 20_000] as const;
/**
 * From this size a networked backend is prefilled by its raw driver's bulk load (pipelines,
 * multi-row INSERTs) instead of one store() per session: a million round trips would take longer
 * than every measurement after them. The raw driver writes what the backend writes; a sample read
 * back through the backend proves it.
 */
export const BULK_PREFILL_FROM = 100_000;
/** Sessions read back through the backend after a bulk prefill. */
const BULK_PREFILL_CHECKS = 100;

interface Condition {
  datasetSize: number;
  payloadBytes: number;
  ops: Op[];
  concurrency: number[];
  openLoop: boolean;
}

interface Settings {
  conditions: Condition[];
  mixes: Mix[];
  seed: number;
  rounds: number;
  timeMs: number;
  warmupMs: number;
  iterations: number;
  warmupIterations: number;
  openLoopMs: number;
  openLoopRate: number | undefined;
  dir: string;
  workers: number;
  bulkPrefillFrom: number;
}

function positiveIntegers(values: number[], what: string): number[] {
  for (const v of values)
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${what} must be positive integers, got ${v}`);
  return [...new Set(values)].sort((a, b) => a - b);
}

function resolveSettings(options: BenchOptions): Settings {
  const profile = PROFILES[options.profile ?? 'standard']?.bench;
  if (profile === undefined) throw new Error(`unknown profile ${String(options.profile)}`);
  const ops = (options.ops ?? [...OPS]).map((op) => {
    if (!(OPS as readonly string[]).includes(op))
      throw new Error(`unknown benchmark op ${JSON.stringify(op)} (known: ${OPS.join(', ')})`);
    return op as Op;
  });
  const sizes = positiveIntegers(options.datasetSizes ?? profile.datasetSizes, 'dataset sizes');
  const payloads = positiveIntegers(options.payloads ?? profile.payloads, 'payload sizes');
  const concurrency = positiveIntegers(options.concurrency ?? profile.concurrency, 'concurrency levels');
  const openLoop = options.openLoop ?? profile.openLoop;
  const [base, ...larger] = sizes;
  const conditions: Condition[] = payloads.map((payloadBytes) => ({
    datasetSize: base!,
    payloadBytes,
    ops,
    concurrency,
    openLoop,
  }));
  const scaleOps = ops.filter((op) => SCALE_OPS.includes(op));
  if (scaleOps.length > 0) {
    for (const datasetSize of larger)
      conditions.push({ datasetSize, payloadBytes: payloads[0]!, ops: scaleOps, concurrency: [1], openLoop: false });
  }
  const timeMs = options.timeMs ?? profile.timeMs;
  const [rounds] = positiveIntegers([options.rounds ?? profile.rounds], 'rounds');
  const [workers] = positiveIntegers([options.workers ?? defaultWorkers()], 'workers');
  const rate = options.openLoopRate;
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0))
    throw new Error('openLoopRate must be a positive number');
  return {
    conditions,
    mixes: (options.mixes ?? [...DEFAULT_MIXES]).map(resolveMix),
    seed: options.seed ?? 1,
    rounds: rounds!,
    timeMs,
    warmupMs: options.timeMs === undefined ? profile.warmupMs : timeMs / 4,
    iterations: profile.iterations,
    warmupIterations: profile.warmupIterations,
    openLoopMs: options.openLoopMs ?? profile.openLoopMs,
    openLoopRate: rate,
    dir: options.dir ?? tmpdir(),
    workers: workers!,
    bulkPrefillFrom: options.bulkPrefillFrom ?? BULK_PREFILL_FROM,
  };
}

/** True when the call completed only after the event loop turned: real I/O, worth many in flight. */
async function crossesEventLoop(call: () => Promise<unknown>): Promise<boolean> {
  let turned = false;
  const immediate = setImmediate(() => (turned = true));
  await call();
  clearImmediate(immediate);
  return turned;
}

/**
 * A backend is async when a fetch or a store waits for I/O. One that completes in the same
 * turn (a Map, better-sqlite3) gains nothing from 64 in flight: they would just queue.
 */
async function isAsyncBackend(surface: Surface, dataset: Dataset, nextIndex: { value: number }): Promise<boolean> {
  const fetchIsAsync = await crossesEventLoop(() => surface.fetch(dataset.id(0), BENCH_NOW));
  const storeIsAsync = await crossesEventLoop(() => surface.create(dataset.session(nextIndex.value++)));
  return fetchIsAsync || storeIsAsync;
}

interface Named {
  op: string;
  runner: OpRunner;
  /** Sessions one call acts on, once the run is over (cleanup-expired). */
  perCall?: () => number;
  /** Fewer minimum iterations for an op whose every call acts on the whole store (measured in one round). */
  iterations?: { measured: number; warmup: number };
}

function runnersFor(op: Op, context: WorkloadContext, mixes: Mix[]): Named[] {
  if (op === 'mixed') return mixes.map((mix) => ({ op: `mixed:${mix.name}`, runner: mixedRunner(context, mix) }));
  if (op === 'cleanup-expired') {
    const runner = cleanupRunner(context);
    if (runner === undefined) return [];
    const perCall = (): number => (runner.calls === 0 ? 0 : runner.removed / runner.calls);
    return [{ op, runner, perCall, iterations: CLEANUP_ITERATIONS }];
  }
  const runner = opRunner(op, context);
  if (runner === undefined) return [];
  return [op === 'list' ? { op, runner, iterations: LIST_ITERATIONS } : { op, runner }];
}

/** One prefill store per session, each timed: the prefill row. */
async function prefill(surface: Surface, dataset: Dataset, concurrency: number): Promise<Measurement> {
  const latenciesUs = new Float64Array(dataset.size);
  const start = process.hrtime.bigint();
  await forEachConcurrently(0, dataset.size, concurrency, async (i) => {
    const session = dataset.session(i);
    const t = process.hrtime.bigint();
    await surface.load(session);
    latenciesUs[i] = Number(process.hrtime.bigint() - t) / 1000;
  });
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  latenciesUs.sort();
  return { sortedUs: latenciesUs, opsPerSec: dataset.size / wallSeconds, rme: sampleMarginOfError(latenciesUs) };
}

function* sessionsOf(dataset: Dataset): Generator<ReturnType<Dataset['session']>> {
  for (let i = 0; i < dataset.size; i++) yield dataset.session(i);
}

type RowKey = Pick<
  BenchmarkRow,
  'backend' | 'driver' | 'op' | 'datasetSize' | 'payloadBytes' | 'concurrency' | 'mode' | 'workers' | 'arrivalRate'
>;

function toRow(key: RowKey, m: Measurement): BenchmarkRow {
  const summary = m.percentiles ?? summarize(m.sortedUs);
  return {
    ...key,
    ...summary,
    opsPerSec: m.opsPerSec,
    samples: m.sortedUs.length,
    rme: m.rme,
    overheadRatio: null,
    percentiles: m.ladder ?? percentileLadder(m.sortedUs.length, (p) => percentile(m.sortedUs, p), summary.maxUs),
    samplesUs: thin(m.sortedUs),
    ...(m.roundP50sUs === undefined ? {} : { roundP50sUs: m.roundP50sUs }),
  };
}

/** cleanup-expired's samples divided by the sessions each call removed. */
function perItem(m: Measurement, items: number): Measurement {
  return { sortedUs: Float64Array.from(m.sortedUs, (us) => us / items), opsPerSec: m.opsPerSec * items, rme: m.rme };
}

function rowText(row: BenchmarkRow): string {
  const rate = row.arrivalRate === undefined ? '' : ` @${row.arrivalRate}/s`;
  return (
    `${row.backend}${row.driver === 'raw' ? ' (raw)' : ''} ${row.op} ${conditionsText(row)}${rate}: ` +
    `p50 ${formatUs(row.p50Us)}µs p99 ${formatUs(row.p99Us)}µs ${Math.round(row.opsPerSec)} ops/s (${row.samples} samples)`
  );
}

/** Half the closed-loop throughput, rounded down to 1, 2 or 5 x 10^k so runs on one machine agree. */
function defaultRate(throughput: number): number {
  const half = Math.min(OPEN_LOOP_RATE_RANGE[1], Math.max(OPEN_LOOP_RATE_RANGE[0], throughput / 2));
  const magnitude = 10 ** Math.floor(Math.log10(half));
  const step = [5, 2, 1].find((s) => s * magnitude <= half)!;
  return step * magnitude;
}

/** A reference backend with a server of its own, not a plug-in named like one. */
async function isNetworkedReference(module: BackendModule): Promise<boolean> {
  return isNetworked(module.name) && (await isReferenceModule(module));
}

class TargetRun {
  readonly rows: BenchmarkRow[] = [];
  readonly #cleanups: (() => Promise<void>)[] = [];
  /** The processes driving rows at WORKER_MIN_CONCURRENCY and more in flight (networked backends). */
  #workers: WorkerLoad | undefined;
  /** Said on every row of the condition (how it was prefilled). */
  #note: string | undefined;

  constructor(
    private readonly target: BenchTarget,
    private readonly condition: Condition,
    private readonly settings: Settings,
    private readonly progress: Progress,
  ) {}

  #key(
    driver: BenchmarkRow['driver'],
    op: string,
    concurrency: number,
    mode: BenchmarkRow['mode'],
    workers = 1,
  ): RowKey {
    const { datasetSize, payloadBytes } = this.condition;
    return { backend: this.target.name, driver, op, datasetSize, payloadBytes, concurrency, mode, workers };
  }

  #add(row: BenchmarkRow): void {
    this.rows.push(row.note === undefined && this.#note !== undefined ? { ...row, note: this.#note } : row);
    this.progress.line(rowText(row));
  }

  async run(rawFactory: RawDriverFactory | undefined): Promise<void> {
    const { condition, settings, target } = this;
    const dir = mkdtempSync(join(settings.dir, 'sessionbench-bench-'));
    this.#cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const namespace = `sessionbench-bench-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const dataset = new Dataset(condition.datasetSize, condition.payloadBytes, settings.seed);
    const label = `${target.name} n=${condition.datasetSize} ${condition.payloadBytes}B`;

    mkdirSync(join(dir, 'backend'));
    const backend = await target.module.open({ dir: join(dir, 'backend'), namespace, options: target.openOptions });
    const surface = backendSurface(backend);
    // Every bench session has a timeout, so expiring them all empties a store that outlives
    // the run (a Redis server); then close.
    this.#cleanups.push(async () => {
      await surface.cleanupExpired?.(Number.MAX_SAFE_INTEGER);
      await surface.close();
    });
    const contexts: [BenchmarkRow['driver'], WorkloadContext][] = [['backend', this.#context(surface, dataset)]];
    const concurrent = await isAsyncBackend(surface, dataset, contexts[0]![1].nextIndex);
    if (!concurrent && condition.concurrency.some((c) => c > 1)) {
      this.progress.note(`${target.name}: operations complete without waiting for I/O; rows above 1 in flight skipped`);
    }
    const networked = await isNetworkedReference(target.module);
    if (networked && rawFactory !== undefined && condition.datasetSize >= settings.bulkPrefillFrom) {
      this.progress.start(`${label} bulk prefill`);
      await this.#bulkPrefill(rawFactory, join(dir, 'bulk'), namespace, surface, dataset);
    } else {
      // A synchronous store gains nothing from many in flight: its prefill latencies would only queue.
      const prefillConcurrency = concurrent ? PREFILL_CONCURRENCY : 1;
      this.progress.start(`${label} prefill`);
      this.#add(
        toRow(
          this.#key('backend', 'prefill', prefillConcurrency, 'closed-loop'),
          await prefill(surface, dataset, prefillConcurrency),
        ),
      );
    }

    let raw: Surface | undefined;
    if (rawFactory !== undefined) {
      mkdirSync(join(dir, 'raw'));
      const driver: RawDriver = await rawFactory({
        dir: join(dir, 'raw'),
        namespace: `${namespace}-raw`,
        options: target.openOptions,
      });
      this.#cleanups.push(() => driver.close());
      this.progress.start(`${label} raw prefill`);
      await driver.loadAll(sessionsOf(dataset));
      raw = rawSurface(driver);
    }

    if (raw !== undefined) contexts.push(['raw', this.#context(raw, dataset)]);

    const manyInFlight = condition.concurrency.filter((c) => c >= WORKER_MIN_CONCURRENCY);
    if (
      networked &&
      concurrent &&
      settings.workers > 1 &&
      manyInFlight.length > 0 &&
      condition.ops.some((op) => CONCURRENT_OPS.has(op))
    ) {
      this.progress.start(`${label} starting ${settings.workers} load workers`);
      const workers = await WorkerLoad.start(
        {
          backend: target.module.name,
          dir: join(dir, 'backend'),
          namespace,
          ...(target.openOptions === undefined ? {} : { openOptions: target.openOptions }),
          ...(raw === undefined ? {} : { raw: { dir: join(dir, 'raw'), namespace: `${namespace}-raw` } }),
          dataset: { size: dataset.size, payloadBytes: dataset.payloadBytes, seed: dataset.seed },
          seed: settings.seed,
          mixes: settings.mixes,
        },
        settings.workers,
      );
      this.#workers = workers;
      this.#cleanups.push(() => workers.close());
    }

    for (const op of condition.ops) {
      for (const c of condition.concurrency) {
        if (c > 1 && !(concurrent && CONCURRENT_OPS.has(op))) continue;
        await this.#closedLoop(op, c, contexts, label);
      }
    }

    if (referenceBackend(target.module.name)?.server === 'redis' && networked && raw !== undefined) {
      if (condition.ops.includes('fetch-hit'))
        for (const c of manyInFlight) await this.#redisBenchmark(c, namespace, dataset);
    }

    if (condition.openLoop) await this.#openLoop(contexts[0]![1], concurrent ? Math.max(...condition.concurrency) : 1);
  }

  /**
   * The op's closed-loop rows on every surface, in rounds interleaved across them (backend,
   * raw, backend, raw, ...): noise on the machine lands on both sides of the overhead ratio
   * alike, and the rounds' p50s give the ratio its interval. An op with its own minimum
   * iterations (list and cleanup-expired: few slow calls on the whole store) runs in one round.
   */
  async #closedLoop(
    op: Op,
    c: number,
    contexts: [BenchmarkRow['driver'], WorkloadContext][],
    label: string,
  ): Promise<void> {
    const { settings } = this;
    const workers = c >= WORKER_MIN_CONCURRENCY ? this.#workers : undefined;
    const runs = contexts.flatMap(([driver, context]) =>
      runnersFor(op, context, settings.mixes).map((named) => ({ driver, named, rounds: [] as Measurement[] })),
    );
    const roundsOf = (named: Named): number => (named.iterations === undefined ? settings.rounds : 1);
    const total = Math.max(0, ...runs.map((r) => roundsOf(r.named)));
    // A full collection costs far more than a short round: rounds get one before the first (what
    // garbage a round leaves lands on both sides alike), a single round its own before its measured phase.
    if (total > 1) collectGarbage();
    for (let round = 0; round < total; round++) {
      for (const { driver, named, rounds } of runs) {
        const count = roundsOf(named);
        if (round >= count) continue;
        this.progress.start(`${label} ${named.op} c=${c} ${driver}${count > 1 ? ` round ${round + 1}/${count}` : ''}`);
        const roundSettings = {
          timeMs: settings.timeMs / count,
          warmupMs: settings.warmupMs / count,
          iterations: Math.ceil(Math.min(settings.iterations, named.iterations?.measured ?? Infinity) / count),
          warmupIterations: Math.ceil(
            Math.min(settings.warmupIterations, named.iterations?.warmup ?? Infinity) / count,
          ),
          concurrency: c,
          gc: count === 1,
        };
        rounds.push(
          workers === undefined
            ? await measureClosedLoop(named.runner, roundSettings)
            : (await workers.measure(driver, named.op, roundSettings)).merged,
        );
      }
    }
    for (const { driver, named, rounds } of runs) {
      const measurement = mergeRounds(rounds);
      this.#add(toRow(this.#key(driver, named.op, c, 'closed-loop', workers?.size), measurement));
      const items = named.perCall?.() ?? 0;
      if (items > 0)
        this.#add(toRow(this.#key(driver, CLEANUP_PER_SESSION, c, 'closed-loop'), perItem(measurement, items)));
    }
  }

  async #openLoop(context: WorkloadContext, maxInFlight: number): Promise<void> {
    const { settings } = this;
    for (const op of this.condition.ops.filter((o) => OPEN_LOOP_OPS.includes(o))) {
      for (const named of runnersFor(op, context, settings.mixes)) {
        const closed = this.rows.filter((r) => r.driver === 'backend' && r.op === named.op && r.mode === 'closed-loop');
        const rate = settings.openLoopRate ?? defaultRate(Math.max(0, ...closed.map((r) => r.opsPerSec)));
        this.progress.start(`${this.target.name} ${named.op} open-loop @${rate}/s`);
        collectGarbage();
        const measurement = await measureOpenLoop(named.runner, { rate, durationMs: settings.openLoopMs, maxInFlight });
        this.#add(
          toRow({ ...this.#key('backend', named.op, maxInFlight, 'open-loop'), arrivalRate: rate }, measurement),
        );
      }
    }
  }

  /**
   * The dataset written into the backend's own namespace by its raw driver's bulk load, then a
   * sample read back through the backend: the rows must be exactly what the backend would have
   * written. The driver stays open to the end (its close removes what it wrote).
   */
  async #bulkPrefill(
    rawFactory: RawDriverFactory,
    dir: string,
    namespace: string,
    surface: Surface,
    dataset: Dataset,
  ): Promise<void> {
    mkdirSync(dir);
    const driver = await rawFactory({ dir, namespace, options: this.target.openOptions });
    this.#cleanups.push(() => driver.close());
    await driver.loadAll(sessionsOf(dataset));
    const step = Math.max(1, Math.floor(dataset.size / BULK_PREFILL_CHECKS));
    for (let i = 0; i < dataset.size; i += step) {
      if (!isDeepStrictEqual(await surface.fetch(dataset.id(i), BENCH_NOW), dataset.session(i)))
        throw new Error(`${this.target.name}: session ${i} of the bulk prefill does not read back through the backend`);
    }
    this.#note = `prefilled by the raw driver's bulk load (what the backend writes, read back through it), not ${dataset.size} store() calls`;
  }

  /** redis-benchmark's GET at `c` connections on the same server: the raw rows' ceiling. */
  async #redisBenchmark(c: number, namespace: string, dataset: Dataset): Promise<void> {
    this.progress.start(`${this.target.name} redis-benchmark -c ${c}`);
    const result = await runRedisBenchmark({
      ...(this.target.openOptions === undefined ? {} : { openOptions: this.target.openOptions }),
      key: `${namespace}:redis-benchmark`,
      valueBytes: Buffer.byteLength(JSON.stringify(dataset.session(0))),
      concurrency: c,
      timeMs: this.settings.timeMs,
    });
    if ('skipped' in result) {
      this.progress.note(`${this.target.name}: ${result.skipped}; its reference row is skipped`);
      return;
    }
    this.#add({
      ...this.#key('raw', REDIS_BENCHMARK_OP, c, 'closed-loop'),
      ...result.percentiles,
      opsPerSec: result.opsPerSec,
      samples: result.requests,
      rme: 0,
      overheadRatio: null,
      note: result.note,
    });
  }

  #context(surface: Surface, dataset: Dataset): WorkloadContext {
    return { surface, dataset, seed: this.settings.seed, nextIndex: { value: dataset.size } };
  }

  /** Undoes what run() set up, last first; the first failure is rethrown after every step ran. */
  async close(): Promise<void> {
    let failure: unknown;
    for (const cleanup of this.#cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }
}

/**
 * overheadRatio of every backend row that has a raw row under the same op and conditions:
 * backend p50 / raw p50. When both were measured in the same interleaved rounds, it is the
 * median of the per-round ratios (round i's backend p50 / round i's raw p50: paired, so a noisy
 * round moves both sides) with its interval, the sign-test confidence interval of that median,
 * distribution-free, at INTERVAL_CONFIDENCE.
 */
function fillOverheadRatios(rows: BenchmarkRow[]): void {
  const key = (r: BenchmarkRow): string =>
    JSON.stringify([r.backend, r.op, r.datasetSize, r.payloadBytes, r.concurrency, r.mode, r.workers ?? 1]);
  const raw = new Map(rows.filter((r) => r.driver === 'raw').map((r) => [key(r), r]));
  for (const row of rows) {
    const under = row.driver === 'backend' ? raw.get(key(row)) : undefined;
    if (under === undefined || !(under.p50Us > 0)) continue;
    row.overheadRatio = row.p50Us / under.p50Us;
    const [mine, theirs] = [row.roundP50sUs, under.roundP50sUs];
    if (mine === undefined || theirs === undefined || mine.length !== theirs.length || theirs.some((p50) => !(p50 > 0)))
      continue;
    const ratios = mine.map((p50, i) => p50 / theirs[i]!);
    row.overheadRatio = median(ratios);
    const { low, high, confidence } = medianInterval(ratios, INTERVAL_CONFIDENCE);
    row.overheadRatioInterval = { low, high, confidence, rounds: mine.length };
  }
}

export async function runBenchmarks(targets: BenchTarget[], options: BenchOptions = {}): Promise<BenchmarkRow[]> {
  const settings = resolveSettings(options);
  const progress = createProgress(options.onProgress);
  if (!collectGarbage())
    progress.note('global.gc is unavailable (run node with --expose-gc): no GC before each measurement');
  const rows: BenchmarkRow[] = [];
  try {
    for (const target of targets) {
      const rawFactory = target.raw === false ? undefined : (target.rawDriver ?? (await rawDriverFor(target.module)));
      if (target.raw === true && rawFactory === undefined)
        progress.note(`${target.name}: no raw driver (not a reference backend)`);
      for (const condition of settings.conditions) {
        const run = new TargetRun(target, condition, settings, progress);
        try {
          await run.run(rawFactory);
        } finally {
          await run.close();
          rows.push(...run.rows);
        }
      }
    }
  } finally {
    progress.done();
  }
  fillOverheadRatios(rows);
  return rows;
}
