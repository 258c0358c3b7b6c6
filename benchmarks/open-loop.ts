// Open-loop measurement: operations arrive at a fixed rate whether or not earlier ones have
// finished, and each is timed from its INTENDED start. A stall therefore shows in the latency
// of every operation that should have started during it (no coordinated omission), which a
// closed loop, waiting politely for the stall to end, never records.
import { createHistogram } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Measurement } from './closed-loop.js';
import { percentileLadder, relativeMarginOfError } from './stats.js';
import type { OpRunner } from './workloads.js';

export interface OpenLoopSettings {
  /** Arrivals per second. */
  rate: number;
  durationMs: number;
  /** At most this many in flight, like a server's worker pool; later arrivals wait in a queue. */
  maxInFlight: number;
}

export async function measureOpenLoop(runner: OpRunner, settings: OpenLoopSettings): Promise<Measurement> {
  const histogram = createHistogram({ lowest: 1, highest: 3_600_000_000_000, figures: 3 });
  const latenciesUs: number[] = [];
  const intervalNs = 1e9 / settings.rate;
  const durationNs = settings.durationMs * 1e6;
  const queued: bigint[] = [];
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const failures: unknown[] = [];
  const start = process.hrtime.bigint();

  // The wait in the queue is part of the latency: it is measured from the intended start.
  const launch = (intendedNs: bigint): void => {
    inFlight++;
    runner.run().then(
      () => {
        const ns = Number(process.hrtime.bigint() - intendedNs);
        histogram.record(Math.max(1, Math.round(ns)));
        latenciesUs.push(ns / 1000);
        complete();
      },
      (err: unknown) => {
        failures.push(err);
        complete();
      },
    );
  };
  const complete = (): void => {
    inFlight--;
    const next = queued.shift();
    if (next !== undefined) launch(next);
    else if (inFlight === 0) drained?.();
  };
  const arrive = (intendedNs: bigint): void => {
    if (inFlight < settings.maxInFlight) launch(intendedNs);
    else queued.push(intendedNs);
  };

  // Exactly this many arrivals, however the run goes: intended starts in [0, duration).
  const arrivals = Math.ceil(durationNs / intervalNs);
  let launched = 0;
  while (launched < arrivals && failures.length === 0) {
    const elapsedNs = Number(process.hrtime.bigint() - start);
    // Everything whose intended start has passed is launched now, each stamped with its own
    // intended time, however late the loop got here.
    const due = Math.min(arrivals, Math.floor(elapsedNs / intervalNs) + 1);
    for (; launched < due; launched++) arrive(start + BigInt(Math.round(launched * intervalNs)));
    // setImmediate, not a timer: it comes round within microseconds and lets I/O complete.
    await yieldToEventLoop();
  }
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  if (failures.length > 0) throw failures[0];

  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  // Kept beside the histogram only for the row's thinned samples.
  const sortedUs = Float64Array.from(latenciesUs).sort();
  const atUs = (p: number): number => histogram.percentile(p) / 1000;
  return {
    sortedUs,
    opsPerSec: latenciesUs.length / wallSeconds,
    rme: relativeMarginOfError(histogram.mean, histogram.stddev, histogram.count),
    percentiles: { p50Us: atUs(50), p95Us: atUs(95), p99Us: atUs(99), p999Us: atUs(99.9), maxUs: histogram.max / 1000 },
    // node's histogram takes percentiles in (0, 100]: its 0th is its min.
    ladder: percentileLadder(histogram.count, (p) => (p === 0 ? histogram.min / 1000 : atUs(p)), histogram.max / 1000),
  };
}
