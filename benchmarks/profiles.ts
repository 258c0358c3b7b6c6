// How long and how wide each profile measures. quick must fit suite + benchmark of the four
// reference backends into about a minute on 2 cores (a few seconds of benchmark per backend);
// thorough adds the 10k / 100k / 1M scaling series.
import type { Profile } from '../properties/result.js';

export interface ProfileSettings {
  datasetSizes: number[];
  payloads: number[];
  concurrency: number[];
  openLoop: boolean;
  openLoopMs: number;
  /**
   * Closed-loop rows are measured in this many rounds, the backend's and its raw driver's
   * interleaved (backend, raw, backend, raw, ...) so both see the same noise; timeMs, warmupMs
   * and the minimum iterations are per row, split evenly over its rounds. Enough rounds give the
   * overhead ratio's confidence interval (reports/budgets.ts) a meaning: 95% needs 6 at least,
   * and many short rounds beat a few long ones, as a shared machine's noise comes in bursts.
   */
  rounds: number;
  /** tinybench budget per row. */
  timeMs: number;
  warmupMs: number;
  iterations: number;
  warmupIterations: number;
}

/** ~200 B and ~10 KB of metadata per session. */
export const SMALL_PAYLOAD = 200;
export const LARGE_PAYLOAD = 10 * 1024;
export const DEFAULT_DATASET_SIZE = 10_000;

export const BENCH_PROFILES: Readonly<Record<Profile, ProfileSettings>> = {
  quick: {
    datasetSizes: [DEFAULT_DATASET_SIZE],
    payloads: [SMALL_PAYLOAD],
    concurrency: [1, 64],
    openLoop: false,
    openLoopMs: 1000,
    rounds: 30,
    timeMs: 90,
    warmupMs: 15,
    iterations: 60,
    warmupIterations: 30,
  },
  standard: {
    datasetSizes: [DEFAULT_DATASET_SIZE],
    payloads: [SMALL_PAYLOAD, LARGE_PAYLOAD],
    concurrency: [1, 64],
    openLoop: true,
    openLoopMs: 2000,
    rounds: 30,
    timeMs: 600,
    warmupMs: 100,
    iterations: 60,
    warmupIterations: 30,
  },
  thorough: {
    datasetSizes: [DEFAULT_DATASET_SIZE, 100_000, 1_000_000],
    payloads: [SMALL_PAYLOAD, LARGE_PAYLOAD],
    concurrency: [1, 64],
    openLoop: true,
    openLoopMs: 5000,
    rounds: 40,
    timeMs: 2000,
    warmupMs: 300,
    iterations: 60,
    warmupIterations: 20,
  },
};
