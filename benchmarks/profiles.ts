// How long and how wide each profile measures. quick must fit suite + benchmark of the four
// reference backends into about a minute on 2 cores (a few seconds of benchmark per backend);
// thorough adds the 10k / 100k / 1M scaling series.
import type { Profile } from '../properties/engine/result.js';

export interface ProfileSettings {
  datasetSizes: number[];
  payloads: number[];
  concurrency: number[];
  openLoop: boolean;
  openLoopMs: number;
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
    timeMs: 100,
    warmupMs: 25,
    iterations: 10,
    warmupIterations: 5,
  },
  standard: {
    datasetSizes: [DEFAULT_DATASET_SIZE],
    payloads: [SMALL_PAYLOAD, LARGE_PAYLOAD],
    concurrency: [1, 64],
    openLoop: true,
    openLoopMs: 2000,
    timeMs: 500,
    warmupMs: 100,
    iterations: 20,
    warmupIterations: 10,
  },
  thorough: {
    datasetSizes: [DEFAULT_DATASET_SIZE, 100_000, 1_000_000],
    payloads: [SMALL_PAYLOAD, LARGE_PAYLOAD],
    concurrency: [1, 64],
    openLoop: true,
    openLoopMs: 5000,
    timeMs: 2000,
    warmupMs: 300,
    iterations: 50,
    warmupIterations: 20,
  },
};
