// How much each profile runs, in one table: the invariant suite, the benchmark, the fault
// scenarios and the wall-clock scenarios on real stores. quick is sized for every pull request
// (suite + benchmark of the four reference backends in about a minute on 2 cores); standard and
// thorough run several and many times more. The scaling series (create, fetch-hit,
// cleanup-expired at larger sizes): standard 10k and 100k, thorough 10k, 100k and 1M; thorough
// also the closing reliability figures.
// Here on the ground floor because properties, benchmarks, faults and the CLI all read it.

export type Profile = 'quick' | 'standard' | 'thorough';

/** What the invariant suite runs (a property's context carries it). */
export interface SuiteSettings {
  name: Profile;
  /** Multiplies each property's quick run count. */
  runsScale: number;
  /** Longest command sequence of the model-based property. */
  maxCommands: number;
  /** Ids the manager-ids property creates in one run. */
  managerIds: number;
  /** Time one property may take before it is reported errored. */
  timeoutMs: number;
}

/** How long and how wide the benchmark measures. */
export interface BenchSettings {
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

/** How much the fault scenarios do, and whether verify runs them unasked. */
export interface ReliabilitySettings {
  /** verify runs the fault scenarios without --reliability. */
  byDefault: boolean;
  kills: number;
  /** SIGKILLs of a private PostgreSQL server per durability (each costs a restart with crash recovery). */
  serverKills: number;
  /** pg_terminate_backend of every pool connection under load, each on a fresh backend. */
  terminations: number;
  corruptionTrials: number;
  hostileCases: number;
  /** Operations of each client (2 processes x 2 clients, 4 sessions) in the two-process linearizability run. */
  historyOpsPerClient: number;
  /** Network partitions per `replicas` setting (0 and 1) of the redis-cluster partition scenario; 0: not run. */
  partitions: number;
  /** verify also benchmarks sqlite against sqlite+aes (when it verifies sqlite and benchmarks at all). */
  encryptionBenchmark: boolean;
}

/**
 * How the wall-clock scenarios on real stores (properties/scenarios) run: real TTLs of seconds,
 * trials on different sessions at once, every wait bounded.
 */
export interface ScenarioSettings {
  /** The TTL a timed session gets (ms); raised to twice the store's tolerance so early expiry stays visible. */
  ttlMs: number;
  /** Sessions timed at once (expiry, touch after expiry, all/length) and missing ids read. */
  trials: number;
  /** Races of touch against set, and of touch against destroy, run at once. */
  races: number;
  /** Interval between the gets that sample expiry (ms): the resolution of the expiry figures. */
  pollMs: number;
  /** Bound on one store call (ms): a slower call is a timeout. */
  callTimeoutMs: number;
  /** Bound on opening the store, which may first import its package (redis 5: 4-5 s on a loaded machine). */
  openTimeoutMs: number;
  /** How long a child process may live on after closing its store (ms). */
  exitGraceMs: number;
}

export interface ProfileSettings {
  suite: SuiteSettings;
  bench: BenchSettings;
  reliability: ReliabilitySettings;
  scenarios: ScenarioSettings;
}

/** ~200 B and ~10 KB of metadata per session. */
const SMALL_PAYLOAD = 200;
const LARGE_PAYLOAD = 10 * 1024;
const DEFAULT_DATASET_SIZE = 10_000;

export const PROFILES: Readonly<Record<Profile, ProfileSettings>> = {
  quick: {
    // manager-ids creates 10k ids in quick (100k would cost seconds per backend); 100k elsewhere.
    suite: { name: 'quick', runsScale: 1, maxCommands: 25, managerIds: 10_000, timeoutMs: 30_000 },
    // a few seconds of benchmark per backend
    bench: {
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
    reliability: {
      byDefault: false,
      kills: 10,
      serverKills: 3,
      terminations: 2,
      corruptionTrials: 20,
      hostileCases: 1000,
      historyOpsPerClient: 200,
      partitions: 0,
      encryptionBenchmark: false,
    },
    // 1.5 s TTLs: not a whole second, so a store that rounds TTLs down to seconds expires visibly early.
    scenarios: {
      ttlMs: 1500,
      trials: 5,
      races: 20,
      pollMs: 20,
      callTimeoutMs: 5000,
      openTimeoutMs: 30_000,
      exitGraceMs: 2000,
    },
  },
  standard: {
    suite: { name: 'standard', runsScale: 5, maxCommands: 60, managerIds: 100_000, timeoutMs: 180_000 },
    bench: {
      datasetSizes: [DEFAULT_DATASET_SIZE, 100_000],
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
    reliability: {
      byDefault: true,
      kills: 30,
      serverKills: 10,
      terminations: 5,
      corruptionTrials: 100,
      hostileCases: 3000,
      historyOpsPerClient: 1000,
      partitions: 10,
      encryptionBenchmark: true,
    },
    scenarios: {
      ttlMs: 1500,
      trials: 20,
      races: 100,
      pollMs: 10,
      callTimeoutMs: 5000,
      openTimeoutMs: 30_000,
      exitGraceMs: 3000,
    },
  },
  thorough: {
    suite: { name: 'thorough', runsScale: 20, maxCommands: 200, managerIds: 100_000, timeoutMs: 900_000 },
    bench: {
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
    reliability: {
      byDefault: true,
      kills: 100,
      serverKills: 30,
      terminations: 10,
      corruptionTrials: 500,
      hostileCases: 10_000,
      historyOpsPerClient: 3000,
      partitions: 30,
      encryptionBenchmark: true,
    },
    scenarios: {
      ttlMs: 2500,
      trials: 50,
      races: 500,
      pollMs: 10,
      callTimeoutMs: 10_000,
      openTimeoutMs: 30_000,
      exitGraceMs: 5000,
    },
  },
};

export function isProfile(value: unknown): value is Profile {
  return typeof value === 'string' && Object.hasOwn(PROFILES, value);
}
