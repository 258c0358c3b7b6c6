// One benchmark row; reports and the regression gate read these and nothing else.

export type BenchmarkMode = 'closed-loop' | 'open-loop';

/** A confidence interval of a row's figure (its overhead ratio, or its rounds' p50), with its exact coverage. */
export interface RatioInterval {
  low: number;
  high: number;
  confidence: number;
  rounds: number;
}

export interface BenchmarkRow {
  backend: string;
  /** 'backend': through the SessionBackend; 'raw': the driver underneath, same run. */
  driver: 'backend' | 'raw';
  op: string;
  datasetSize: number;
  payloadBytes: number;
  /** Operations in flight (closed loop), or at most in flight (open loop: later arrivals queue, their wait counted). */
  concurrency: number;
  mode: BenchmarkMode;
  /**
   * Processes that drove the load: 1 in-process; more for a networked store at many in flight
   * (benchmarks/worker-load.ts), each with its own connections. Absent in reports written before
   * it was recorded (then 1).
   */
  workers?: number;
  /** How the row was measured, where that differs from the rest (a bulk prefill, another tool's figures). */
  note?: string;
  /** Open-loop rows: the fixed arrival rate (ops/s) operations were scheduled at. */
  arrivalRate?: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  opsPerSec: number;
  samples: number;
  /** Relative margin of error of the mean, in percent (tinybench's rme). */
  rme: number;
  /**
   * Backend p50 / raw p50 of the same op and conditions (measured in rounds: the median of the
   * per-round ratios); null for raw rows and plug-ins.
   */
  overheadRatio: number | null;
  /**
   * The ratio's confidence interval from interleaved rounds: the sign-test interval of the median
   * of the per-round ratios, `confidence` its exact coverage. Absent with a single round.
   */
  overheadRatioInterval?: RatioInterval;
  /** Closed-loop rows measured in rounds: each round's p50 (µs), in round order. */
  roundP50sUs?: number[];
  /**
   * The latency distribution as [percentile, µs] pairs, ascending, ending with [100, max]: what
   * report.html's percentile curves draw (benchmarks/stats.ts percentileLadder).
   */
  percentiles?: Array<[number, number]>;
  /** Up to a few thousand retained latencies (µs), evenly thinned, for the regression test. */
  samplesUs?: number[];
}
