// `sessionbench verify`: the invariant suite and the benchmark on every chosen backend, the
// reliability scenarios when asked for (and the failover run with redis-cluster), the gates over
// all of them, and the five report files. Setup problems (a bad budgets file, baseline or
// plug-in) are found before anything long runs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Profile, PROFILES } from '../backends/profiles.js';
import { faultScenarios } from '../backends/registry.js';
import { SetupError } from '../backends/setup-error.js';
import type { BenchmarkRow } from '../benchmarks/result.js';
import { runBenchmarks } from '../benchmarks/index.js';
import { runFailoverScenario } from '../benchmarks/faults/failover.js';
import { type PartitionRun, runPartitionScenario } from '../benchmarks/faults/partition.js';
import { runReliability } from '../benchmarks/faults/index.js';
import { PROPERTIES, runSuite } from '../properties/index.js';
import { runScenarios } from '../properties/scenarios/index.js';
import type { PropertyResult } from '../properties/engine/result.js';
import type { ScenarioResult } from '../properties/scenarios/result.js';
import { type Budgets, checkBudgets, loadBudgets } from '../reports/budgets.js';
import { describeEnvironment } from '../reports/environment.js';
import { budgetsGate, overallStatus, propertiesGate, regressionGate, scenariosGate } from '../reports/gates.js';
import { benchmarkRows, readReport } from '../reports/read-report.js';
import { compareBenchmarks } from '../reports/regression.js';
import { failoverGate, partitionGate, reliabilityGates } from '../reports/reliability-gates.js';
import {
  type BackendReport,
  type Gate,
  type ReliabilityReport,
  type Report,
  SCHEMA_VERSION,
} from '../reports/report.js';
import { writeReports } from '../reports/write.js';
import type { Progress } from '../benchmarks/progress.js';
import { benchTarget, type Target, withTargets } from './targets.js';

export interface VerifyOptions {
  backends: string[];
  profile: Profile;
  seed: number;
  /** Minor property failures fail the properties gate too. */
  strict: boolean;
  reportDir: string;
  budgetsFile?: string;
  baselineFile?: string;
  minEffect?: number;
  skipBench: boolean;
  skipProps: boolean;
  /** Run the fault scenarios: true / false; undefined leaves it to the profile (not in quick). */
  reliability?: boolean;
  /** A backend that can't run here (no Redis) fails the run instead of being skipped (it was named with --backend; per server: Target.required). */
  requireAll: boolean;
  progress: Progress;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function seconds(startedMs: number): string {
  return `${((performance.now() - startedMs) / 1000).toFixed(1)} s`;
}

/** One directory per backend under the run's temp dir: names may hold characters paths can't. */
function workDir(base: string, index: number, what: string): string {
  const dir = join(base, `${index}-${what}`);
  mkdirSync(dir);
  return dir;
}

async function runProperties(
  target: Target,
  options: VerifyOptions,
  dir: string,
): Promise<PropertyResult[] | { error: string }> {
  const name = target.module.name;
  const started = performance.now();
  let done = 0;
  try {
    const results = await runSuite(target.module, {
      profile: options.profile,
      seed: options.seed,
      dir,
      backend: target.spec,
      ...(target.openOptions === undefined ? {} : { openOptions: target.openOptions }),
      ...(target.createManager === undefined ? {} : { createManager: target.createManager }),
      onResult: (r) => {
        done++;
        options.progress.line(`${name}: properties ${done}/${PROPERTIES.length} (${r.id} ${r.status})`);
        if (r.status === 'failed' || r.status === 'errored')
          options.progress.note(`${name}: ${r.id} ${r.status}: ${r.message ?? ''}`.trimEnd());
      },
    });
    const passed = results.filter((r) => r.status === 'passed').length;
    options.progress.note(
      `${name}: ${passed}/${results.filter((r) => r.status !== 'not-applicable').length} applicable properties passed (${seconds(started)})`,
    );
    return results;
  } catch (err) {
    options.progress.note(`${name}: the suite could not run: ${messageOf(err)}`);
    return { error: messageOf(err) };
  }
}

async function runBench(
  target: Target,
  options: VerifyOptions,
  dir: string,
): Promise<BenchmarkRow[] | { error: string }> {
  const name = target.module.name;
  const started = performance.now();
  try {
    const rows = await runBenchmarks([benchTarget(target)], {
      profile: options.profile,
      dir,
      onProgress: (line) => options.progress.line(line),
    });
    options.progress.note(`${name}: ${rows.length} benchmark rows (${seconds(started)})`);
    return rows;
  } catch (err) {
    options.progress.note(`${name}: the benchmark could not run: ${messageOf(err)}`);
    return { error: messageOf(err) };
  }
}

/** The wall-clock scenarios of a real store (an express-session store or Keyv): its own TTL, touch and destroy. */
async function runRealStoreScenarios(
  target: Target,
  options: VerifyOptions,
  dir: string,
): Promise<ScenarioResult[] | { error: string }> {
  const name = target.module.name;
  const started = performance.now();
  try {
    const results = await runScenarios(target.realStore!, {
      spec: target.spec,
      ...(target.openOptions === undefined ? {} : { openOptions: target.openOptions }),
      dir,
      namespace: `sessionbench-scenarios-${process.pid}-${options.seed}`,
      profile: options.profile,
      progress: (line) => options.progress.line(line),
    });
    const failed = results.filter((r) => r.status === 'failed' || r.status === 'errored').length;
    options.progress.note(`${name}: ${results.length} wall-clock scenarios, ${failed} failed (${seconds(started)})`);
    return results;
  } catch (err) {
    options.progress.note(`${name}: the scenarios could not run: ${messageOf(err)}`);
    return { error: messageOf(err) };
  }
}

function backendStatus(gates: readonly Gate[], skipReason: string | undefined): BackendReport['status'] {
  if (gates.some((g) => g.status === 'failed')) return 'failed';
  return skipReason === undefined ? 'passed' : 'skipped';
}

async function runTarget(
  target: Target,
  index: number,
  options: VerifyOptions,
  budgets: Budgets,
  scratch: string,
): Promise<BackendReport> {
  const { module } = target;
  const report: BackendReport = {
    name: module.name,
    spec: target.spec,
    kind: target.kind,
    ...(module.description === undefined ? {} : { description: module.description }),
    ...(target.server === undefined ? {} : { server: target.server }),
    capabilities: { persistent: module.capabilities.persistent, shared: module.capabilities.shared },
    status: 'passed',
    properties: [],
    benchmarks: [],
    budgets: [],
    gates: [],
  };
  if (target.skipReason !== undefined) {
    report.skipReason = target.skipReason;
    const required = options.requireAll || target.required === true;
    const detail = required ? `required but not available: ${target.skipReason}` : target.skipReason;
    report.gates.push({
      name: 'availability',
      backend: module.name,
      status: required ? 'failed' : 'skipped',
      detail,
    });
    report.status = backendStatus(report.gates, report.skipReason);
    return report;
  }
  if (options.skipProps) {
    report.gates.push(propertiesGate(module.name, { skipped: 'skipped (--skip-props)' }, options.strict));
  } else {
    const outcome = await runProperties(target, options, workDir(scratch, index, 'props'));
    if (Array.isArray(outcome)) report.properties = outcome;
    report.gates.push(propertiesGate(module.name, outcome, options.strict));
  }
  if (target.realStore !== undefined && !options.skipProps) {
    const outcome = await runRealStoreScenarios(target, options, workDir(scratch, index, 'scenarios'));
    if (Array.isArray(outcome)) {
      report.scenarios = outcome;
      report.gates.push(scenariosGate(module.name, outcome, options.strict));
    } else {
      report.gates.push({
        name: 'scenarios',
        backend: module.name,
        status: 'failed',
        detail: `the scenarios could not run: ${outcome.error}`,
      });
    }
  }
  if (options.skipBench) {
    report.gates.push(budgetsGate(module.name, { skipped: 'skipped (--skip-bench)' }));
  } else {
    const rows = await runBench(target, options, workDir(scratch, index, 'bench'));
    if (Array.isArray(rows)) {
      report.benchmarks = rows;
      report.budgets = checkBudgets(budgets, module.name, rows);
      report.gates.push(budgetsGate(module.name, report.budgets));
    } else {
      report.gates.push({
        name: 'benchmark',
        backend: module.name,
        status: 'failed',
        detail: `the benchmark could not run: ${rows.error}`,
      });
    }
  }
  return report;
}

async function runFaults(
  targets: readonly Target[],
  options: VerifyOptions,
  dir: string,
): Promise<ReliabilityReport | undefined> {
  const { profile, progress } = options;
  const started = performance.now();
  const runnable = targets.filter((t) => t.kind === 'reference' && t.skipReason === undefined);
  // The registry says which scenarios each backend runs: runReliability's here, failover and partition apart.
  const backends = runnable
    .map((t) => t.spec)
    .filter((spec) => faultScenarios(spec).some((s) => s !== 'failover' && s !== 'partition'));
  const settings = PROFILES[profile].reliability;
  const wanted = options.reliability ?? settings.byDefault;
  let reliability: ReliabilityReport | undefined;
  if (wanted && backends.length > 0) {
    reliability = await runReliability({
      profile,
      backends,
      dir,
      openOptions: Object.fromEntries(
        runnable.flatMap((t) => (t.openOptions === undefined ? [] : [[t.spec, t.openOptions]])),
      ),
      seed: options.seed,
      // sqlite against sqlite+aes: a benchmark, so not with --skip-bench, and only when sqlite is verified.
      encryptionBenchmark: settings.encryptionBenchmark && !options.skipBench && backends.includes('sqlite'),
      onProgress: (line) => progress.line(`reliability: ${line}`),
    });
    progress.note(`reliability: ${backends.join(', ')} (${seconds(started)})`);
  }
  if (runnable.some((t) => faultScenarios(t.spec).includes('failover'))) {
    progress.line('failover: killing a Redis Cluster master under load');
    reliability ??= {
      profile,
      crash: [],
      corruption: [],
      redisFaults: [],
      postgresTerminate: [],
      hostileInput: [],
      histories: [],
      skipped: [
        wanted
          ? 'no backend for the fault scenarios'
          : `fault scenarios: not run in the ${profile} profile (--reliability runs them)`,
      ],
    };
    try {
      reliability.failover = await runFailoverScenario();
      progress.note(
        `failover: ${reliability.failover.lost} lost of ${reliability.failover.acknowledged} acknowledged (${seconds(started)})`,
      );
    } catch (err) {
      reliability.skipped.push(`failover: ${messageOf(err)}`);
      progress.note(`failover: could not run: ${messageOf(err)}`);
    }
  }
  if (reliability !== undefined && runnable.some((t) => faultScenarios(t.spec).includes('partition')))
    await runPartitions(reliability, options);
  return reliability;
}

// The partition scenario's outcome, for its gate: its runs, or in `skipped` why not ('partition: ...';
// 'partition: could not run: ...' when it failed).
const PARTITION = 'partition: ';
const PARTITION_ERROR = `${PARTITION}could not run: `;

/** The Redis Cluster partition scenario, once per `replicas` setting (0, 1), as many partitions as the profile says. */
async function runPartitions(reliability: ReliabilityReport, options: VerifyOptions): Promise<void> {
  const { partitions } = PROFILES[options.profile].reliability;
  if (partitions === 0) {
    reliability.skipped.push(`${PARTITION}not run in the ${options.profile} profile (standard and thorough run it)`);
    return;
  }
  const started = performance.now();
  const runs: PartitionRun[] = [];
  try {
    for (const replicas of [0, 1]) {
      const run = await runPartitionScenario({
        replicas,
        partitions,
        seed: options.seed,
        onStep: (step) => options.progress.line(`partition (replicas ${replicas}): ${step}`),
      });
      if ('skipped' in run) {
        reliability.skipped.push(`${PARTITION}${run.skipped}`);
        options.progress.note(`partition: skipped: ${run.skipped}`);
        return;
      }
      runs.push(run);
      options.progress.note(
        `partition (replicas ${replicas}): ${run.acknowledged} acknowledged, ${run.lost} lost, ${run.staleReads} stale reads, ${run.lostUpdates} lost updates (${seconds(started)})`,
      );
    }
    reliability.partition = runs;
  } catch (err) {
    reliability.skipped.push(`${PARTITION_ERROR}${messageOf(err)}`);
    options.progress.note(`partition: could not run: ${messageOf(err)}`);
  }
}

function partitionOutcome(reliability: ReliabilityReport): PartitionRun[] | { error: string } | { skipped: string } {
  if (reliability.partition !== undefined) return reliability.partition;
  const note = reliability.skipped.find((s) => s.startsWith(PARTITION)) ?? `${PARTITION_ERROR}did not run`;
  return note.startsWith(PARTITION_ERROR)
    ? { error: note.slice(PARTITION_ERROR.length) }
    : { skipped: note.slice(PARTITION.length) };
}

/** Adds the reliability gates to the backends the scenarios ran on. */
function addReliabilityGates(backends: readonly BackendReport[], reliability: ReliabilityReport): void {
  for (const b of backends) {
    if (b.kind !== 'reference' || b.skipReason !== undefined) continue;
    if (faultScenarios(b.spec).includes('failover')) {
      const failure = reliability.skipped.find((s) => s.startsWith('failover: '));
      b.gates.push(
        failoverGate(b.name, reliability.failover ?? { error: failure?.slice('failover: '.length) ?? 'did not run' }),
      );
    }
    if (faultScenarios(b.spec).includes('partition'))
      b.gates.push(partitionGate(b.name, partitionOutcome(reliability)));
    if (
      reliability.crash.length +
        reliability.corruption.length +
        reliability.redisFaults.length +
        reliability.postgresTerminate.length +
        reliability.hostileInput.length +
        reliability.histories.length >
      0
    ) {
      b.gates.push(...reliabilityGates(b.name, reliability));
    }
  }
}

/** Everything that can be wrong before the run starts; thrown as SetupError (exit 2). */
function checkSetup(options: VerifyOptions): { budgets: Budgets; baseline?: BenchmarkRow[] } {
  if (options.skipBench && options.skipProps)
    throw new SetupError('--skip-bench and --skip-props together leave nothing to verify');
  if (options.skipBench && options.baselineFile !== undefined)
    throw new SetupError('--baseline compares benchmark rows: drop --skip-bench');
  try {
    const budgets = loadBudgets(options.budgetsFile);
    if (options.baselineFile === undefined) return { budgets };
    return { budgets, baseline: benchmarkRows(readReport(options.baselineFile)) };
  } catch (err) {
    throw new SetupError(messageOf(err));
  }
}

export async function verify(options: VerifyOptions): Promise<{ report: Report; files: string[] }> {
  const started = performance.now();
  const startedAt = new Date();
  const { budgets, baseline } = checkSetup(options);
  const { backends, reliability } = await withTargets(options.backends, options.progress, async (targets, scratch) => {
    const reports: BackendReport[] = [];
    for (const [index, target] of targets.entries())
      reports.push(await runTarget(target, index, options, budgets, scratch));
    return {
      backends: reports,
      reliability: await runFaults(targets, options, workDir(scratch, targets.length, 'reliability')),
    };
  });
  if (reliability !== undefined) addReliabilityGates(backends, reliability);
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: startedAt.toISOString(),
    durationMs: 0,
    environment: describeEnvironment(options.profile, options.seed, options.strict),
    backends,
    gates: [],
    ...(reliability === undefined ? {} : { reliability }),
    status: 'passed',
  };
  if (baseline !== undefined) {
    const measured = new Set(backends.filter((b) => b.benchmarks.length > 0).map((b) => b.name));
    report.regression = compareBenchmarks(
      baseline.filter((row) => measured.has(row.backend)),
      backends.flatMap((b) => b.benchmarks),
      { baseline: options.baselineFile!, ...(options.minEffect === undefined ? {} : { minEffect: options.minEffect }) },
    );
    for (const b of backends) if (b.skipReason === undefined) b.gates.push(regressionGate(b.name, report.regression));
  }
  for (const b of backends) b.status = backendStatus(b.gates, b.skipReason);
  report.gates = backends.flatMap((b) => b.gates);
  report.status = overallStatus(report.gates);
  report.durationMs = Math.round(performance.now() - started);
  return { report, files: writeReports(report, options.reportDir) };
}
