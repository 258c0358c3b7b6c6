// The shape of report.json (reports/report.schema.json describes the same thing for other tools).
// Bump SCHEMA_VERSION on any change a reader of an older report would trip over.
import type { BackendCapabilities } from '../backends/contract.js';
import type { BackendKind } from '../backends/load-backend.js';
import type { Profile } from '../backends/profiles.js';
import type { FaultScenario } from '../backends/registry.js';
import type { FailoverResult } from '../benchmarks/faults/failover.js';
import type { PartitionRun } from '../benchmarks/faults/partition.js';
import type { ReliabilityResult } from '../benchmarks/faults/index.js';
import type { BenchmarkRow, RatioInterval } from '../benchmarks/result.js';
import type { PropertyResult } from '../properties/engine/result.js';
import type { ScenarioResult } from '../properties/scenarios/result.js';

export const SCHEMA_VERSION = 2;

export type GateStatus = 'passed' | 'failed' | 'skipped';
/** 'nothing-verified': no gate failed, but none passed either (every backend skipped, say); a failure to the exit code. */
export type RunStatus = 'passed' | 'failed' | 'nothing-verified';
/** A reliability gate is named after its fault scenario. */
export type GateName =
  'properties' | 'scenarios' | 'budgets' | 'regression' | 'availability' | 'benchmark' | FaultScenario;

export interface Gate {
  name: GateName;
  backend: string;
  status: GateStatus;
  detail: string;
}

export type BudgetMetric = 'p50Us' | 'p99Us' | 'overheadRatio';

/** Which benchmark rows one budget limit applies to; an absent field matches any value. */
export interface BudgetConditions {
  op: string;
  datasetSize?: number;
  payloadBytes?: number;
  concurrency?: number;
  mode?: BenchmarkRow['mode'];
}

/** One limit checked against one benchmark row (or against none: status 'skipped'). */
export interface BudgetCheck {
  conditions: BudgetConditions;
  metric: BudgetMetric;
  limit: number;
  /** The measured value; null when no row matched or the row has no such figure (a plug-in's ratio). */
  actual: number | null;
  /** The conditions of the row that was checked, as text ("n=10000 200B c=1 closed-loop"). */
  row: string | null;
  /**
   * An overheadRatio measured in rounds: its confidence interval. The limit then fails only when
   * the whole interval lies above it, so a ratio that is over the limit by chance passes.
   */
  interval?: RatioInterval;
  status: GateStatus;
}

export type RegressionVerdict = 'faster' | 'slower' | 'no significant change' | 'not compared';

export interface RegressionRow {
  backend: string;
  driver: BenchmarkRow['driver'];
  op: string;
  datasetSize: number;
  payloadBytes: number;
  concurrency: number;
  mode: BenchmarkRow['mode'];
  arrivalRate?: number;
  baselineP50Us: number | null;
  currentP50Us: number | null;
  /** Hodges–Lehmann shift (current - baseline) relative to the baseline median, and its CI. */
  change: number | null;
  changeLow: number | null;
  changeHigh: number | null;
  /** Mann–Whitney two-sided p-value, raw and Holm-adjusted across the compared rows. */
  p: number | null;
  pAdjusted: number | null;
  verdict: RegressionVerdict;
  status: GateStatus;
  /** Why a row was not compared (missing in one report, too few samples). */
  note?: string;
}

export interface RegressionSummary {
  baseline: string;
  alpha: number;
  minEffect: number;
  rows: RegressionRow[];
}

export interface Environment {
  node: string;
  cpu: { model: string; count: number };
  os: { platform: string; release: string; arch: string };
  /** Installed versions of package.json's dependencies (what actually ran, not the ranges). */
  dependencies: Record<string, string>;
  sessionbench: string;
  profile: Profile;
  seed: number;
  /** --strict: the properties gate failed on minor failures too. */
  strict: boolean;
}

export interface BackendReport {
  name: string;
  /** What was passed to --backend: a reference name or a module path (the replay command uses it). */
  spec: string;
  kind: BackendKind;
  description?: string;
  capabilities: BackendCapabilities;
  status: 'passed' | 'failed' | 'skipped';
  skipReason?: string;
  /** The server it ran on, as its provider names it ("redis://127.0.0.1:6379 (local)"); absent when it needs none. */
  server?: string;
  properties: PropertyResult[];
  /** The wall-clock scenarios a real store ran on its own terms; absent when none ran. */
  scenarios?: ScenarioResult[];
  benchmarks: BenchmarkRow[];
  budgets: BudgetCheck[];
  gates: Gate[];
}

/** The fault scenarios (benchmarks/faults) and, with redis-cluster among the backends, its failover and partition runs. */
export interface ReliabilityReport extends ReliabilityResult {
  failover?: FailoverResult;
  /** One run per `replicas` setting (0, 1). */
  partition?: PartitionRun[];
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  generatedAt: string;
  durationMs: number;
  environment: Environment;
  backends: BackendReport[];
  gates: Gate[];
  regression?: RegressionSummary;
  reliability?: ReliabilityReport;
  status: RunStatus;
}
