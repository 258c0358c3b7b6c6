// Closed-loop measurement with tinybench: each of `concurrency` workers starts its next
// operation when its last one finished. Nanosecond timestamps (process.hrtime.bigint), warmup,
// retained samples, and a GC before the measured phase when node runs with --expose-gc.
import { Bench, type FnReturnedObject } from 'tinybench';
import { type LatencySummary, percentile, sampleMarginOfError } from './stats.js';
import type { OpRunner } from './workloads.js';

export interface ClosedLoopSettings {
  timeMs: number;
  warmupMs: number;
  /** Minimum measured operations at 1 in flight (a slow op still gets a few samples). */
  iterations: number;
  warmupIterations: number;
  concurrency: number;
  /** Collect garbage before the measured phase (default true); interleaved rounds do it once before their first. */
  gc?: boolean;
}

export interface Measurement {
  /** Every retained latency, ascending, in µs. */
  sortedUs: ArrayLike<number>;
  opsPerSec: number;
  /** Relative margin of error of the mean latency, in percent. */
  rme: number;
  /** Percentiles the measurement took itself (the open loop's HDR histogram); else computed from sortedUs. */
  percentiles?: LatencySummary;
  /** Its percentile ladder, where the measurement took it itself (the open loop's HDR histogram). */
  ladder?: Array<[number, number]>;
  /** Measured in interleaved rounds (mergeRounds): each round's p50 (µs), in round order. */
  roundP50sUs?: number[];
}

/** Collects garbage when node was started with --expose-gc; false when it can't. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return false;
  gc();
  return true;
}

/** Doublings of a many-in-flight round's time before giving up on getting a sample. */
const MAX_DOUBLINGS = 8;

export async function measureClosedLoop(runner: OpRunner, settings: ClosedLoopSettings): Promise<Measurement> {
  // With many in flight tinybench keeps only the operations that complete within the time
  // budget: a short round on a loaded machine can end before the first wave does and keep none.
  // Such a round is measured again with twice the time.
  for (let doublings = 0; ; doublings++) {
    const measured = await measureOnce(runner, { ...settings, timeMs: settings.timeMs * 2 ** doublings });
    if (measured !== undefined) return measured;
    if (doublings === MAX_DOUBLINGS)
      throw new Error(
        `no operation completed within ${settings.timeMs * 2 ** doublings} ms at ${settings.concurrency} in flight`,
      );
  }
}

/** One tinybench run; undefined when, at many in flight, no operation completed within the time budget. */
async function measureOnce(runner: OpRunner, settings: ClosedLoopSettings): Promise<Measurement | undefined> {
  const concurrent = settings.concurrency > 1;
  let wallStart = 0n;
  let wallEnd = 0n;
  const bench = new Bench({
    timestampProvider: 'hrtimeNow',
    retainSamples: true,
    throws: true,
    time: settings.timeMs,
    warmupTime: settings.warmupMs,
    // With concurrency 'task' a positive count would cap the run instead of setting a minimum:
    // there the time budget alone decides.
    iterations: concurrent ? 0 : settings.iterations,
    warmupIterations: concurrent ? 0 : settings.warmupIterations,
    concurrency: concurrent ? 'task' : null,
    threshold: settings.concurrency,
    setup: (_task, mode) => {
      if (mode !== 'run') return;
      if (settings.gc !== false) collectGarbage();
      wallStart = process.hrtime.bigint();
    },
    teardown: (_task, mode) => {
      if (mode === 'run') wallEnd = process.hrtime.bigint();
    },
  });
  bench.add(
    'op',
    async (): Promise<FnReturnedObject> => {
      const start = bench.now();
      // The sample is the runner's timed part; the budget is charged the whole iteration,
      // preparation included, so slow preparation can't stretch a run.
      const duration = await runner.run();
      return { overriddenDuration: duration, overriddenIterationCost: bench.now() - start };
    },
    { async: true },
  );
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state === 'errored') throw result.error;
  if (result.state === 'started' && concurrent) return undefined;
  if (result.state !== 'completed') throw new Error(`tinybench task ended ${result.state}`);
  const { latency } = result;
  if (latency.samples === undefined) throw new Error('tinybench retained no samples');
  const sortedUs = Float64Array.from(latency.samples, (ms) => ms * 1000);
  const wallSeconds = Number(wallEnd - wallStart) / 1e9;
  // At 1 in flight throughput is the reciprocal of the mean latency; with many in flight it is
  // what completed per second of wall time.
  const opsPerSec = concurrent ? latency.samplesCount / wallSeconds : 1000 / latency.mean;
  return { sortedUs, opsPerSec, rme: latency.rme };
}

/**
 * One measurement of several rounds of the same op: every sample, the throughput of the whole
 * (samples over the time they took, which is both 1 / mean latency at 1 in flight and
 * completions per wall second with many), and each round's p50 for the ratio's interval.
 */
export function mergeRounds(rounds: readonly Measurement[]): Measurement {
  if (rounds.length === 1) return rounds[0]!;
  const sortedUs = Float64Array.from(rounds.flatMap((m) => Array.from(m.sortedUs))).sort();
  const seconds = rounds.reduce((sum, m) => sum + m.sortedUs.length / m.opsPerSec, 0);
  return {
    sortedUs,
    opsPerSec: sortedUs.length / seconds,
    rme: sampleMarginOfError(sortedUs),
    roundP50sUs: rounds.map((m) => percentile(m.sortedUs, 50)),
  };
}
