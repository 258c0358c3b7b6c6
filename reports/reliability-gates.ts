// The reliability gates, one per scenario and backend: each passes only on the figure its
// scenario exists to keep at zero. A scenario that did not run for the backend is 'skipped'
// with the reason, never 'passed'.
import { faultScenarios } from '../backends/registry.js';
import type {
  CorruptionResult,
  CrashResult,
  HostileResult,
  PostgresTerminateResult,
  RedisFaultResult,
  TwoProcessHistoryResult,
} from '../benchmarks/faults/index.js';
import type { LoadFaultFigures } from '../benchmarks/faults/fault-load.js';
import { type CheckSummary, describeCheck } from '../benchmarks/faults/linearizability.js';
import type { FailoverResult } from '../benchmarks/faults/failover.js';
import type { PartitionRun } from '../benchmarks/faults/partition.js';
import { listed } from './gates.js';
import type { Gate, GateName, ReliabilityReport } from './report.js';

/** Examples quote stored sessions; a gate's detail is one line, so each is cut short. */
function examples(items: string[]): string {
  return `; examples: ${listed(items.map((e) => (e.length > 160 ? `${e.slice(0, 160)}…` : e)))}`;
}

function gateOf(name: GateName, backend: string): (status: Gate['status'], detail: string) => Gate {
  return (status, detail) => ({ name, backend, status, detail });
}

/**
 * Only durability 'full' promises that an acknowledged write survives a kill; 'normal' rows are shown, not gated.
 * The same judgement for a process kill of a file store (crash-durability) and a server kill of postgres (postgres-crash).
 */
export function crashGate(
  backend: string,
  rows: readonly CrashResult[],
  name: 'crash-durability' | 'postgres-crash' = 'crash-durability',
): Gate {
  const gate = gateOf(name, backend);
  const full = rows.filter((r) => r.durability === 'full');
  if (full.length === 0) return gate('skipped', 'no durability full run');
  const bad = full.reduce((sum, r) => sum + r.missing + r.changed + r.openFailures, 0);
  const restart = (r: CrashResult): string =>
    r.restartMs === undefined ? '' : `, restart median ${r.restartMs.median} ms (max ${r.restartMs.max})`;
  const text = (r: CrashResult): string =>
    `${r.durability}: ${r.kills} kills, ${r.acknowledged} acknowledged, ${r.missing} missing, ${r.changed} changed, ${r.openFailures} open failures${restart(r)}`;
  return gate(
    bad === 0 ? 'passed' : 'failed',
    `${listed(rows.map(text))}${bad === 0 ? '' : examples(full.flatMap((r) => r.examples))}`,
  );
}

/** Corruption may be refused (CORRUPT) or lose sessions, but never read back wrong data, list a stranger or kill the process. */
export function corruptionGate(backend: string, rows: readonly CorruptionResult[]): Gate {
  const gate = gateOf('corruption', backend);
  if (rows.length === 0) return gate('skipped', 'no corruption run');
  const bad = rows.filter((r) => r.readWrong > 0 || r.listStrangers > 0 || r.crashed > 0);
  const text = (r: CorruptionResult): string =>
    `${r.backend}: ${r.trials} trials, ${r.readWrong} read wrong, ${r.listStrangers} list strangers, ${r.crashed} crashed, ${r.corruptErrors} CORRUPT, ${r.otherErrors} other errors`;
  return gate(
    bad.length === 0 ? 'passed' : 'failed',
    `${listed(rows.map(text))}${bad.length === 0 ? '' : examples(bad.flatMap((r) => r.examples))}`,
  );
}

/** Error codes of a connection fault other than UNAVAILABLE (what a caller can retry on). */
function otherCodes(r: LoadFaultFigures): string[] {
  return Object.keys(r.errorCodes).filter((code) => code !== 'UNAVAILABLE');
}

/** Under a connection fault every call fails fast (bounded) and with UNAVAILABLE, nothing else. */
function loadFaultHeld(r: LoadFaultFigures): boolean {
  return !r.hung && otherCodes(r).length === 0;
}

function loadFaultText(r: LoadFaultFigures): string {
  const others = otherCodes(r);
  return `${r.errors} errors${others.length > 0 ? ` (not UNAVAILABLE: ${others.join(', ')})` : ''}, ${r.hung ? 'HUNG' : `slowest failure ${Math.round(r.slowestFailureMs)} ms`}, recovery ${r.recoveryMs === null ? 'none' : `${Math.round(r.recoveryMs)} ms`}`;
}

export function redisFaultsGate(backend: string, rows: readonly RedisFaultResult[]): Gate {
  const gate = gateOf('redis-faults', backend);
  if (rows.length === 0) return gate('skipped', 'no redis fault run');
  const ok = rows.every(loadFaultHeld);
  return gate(ok ? 'passed' : 'failed', listed(rows.map((r) => `${r.fault}: ${loadFaultText(r)}`)));
}

/** Terminated connections: calls fail fast with UNAVAILABLE, the pool reconnects, and no acknowledged write is lost or unseen by the next read. */
export function postgresTerminateGate(backend: string, rows: readonly PostgresTerminateResult[]): Gate {
  const gate = gateOf('postgres-terminate', backend);
  if (rows.length === 0) return gate('skipped', 'no postgres terminate run');
  const ok = rows.every((r) => loadFaultHeld(r) && r.lost === 0 && r.readsBehind === 0);
  const text = (r: PostgresTerminateResult): string =>
    `${r.terminations} terminations (${r.connectionsTerminated} connections): ${loadFaultText(r)}; ${r.lost} lost of ${r.acknowledged} acknowledged, ${r.readsBehind} reads behind an acknowledged write`;
  return gate(ok ? 'passed' : 'failed', listed(rows.map(text)));
}

export function hostileGate(backend: string, row: HostileResult | undefined): Gate {
  const gate = gateOf('hostile-input', backend);
  if (row === undefined) return gate('skipped', 'no hostile-input run');
  if (row.failures === 0)
    return gate('passed', `${row.cases} cases, no session reached across ids or namespaces (seed ${row.seed})`);
  return gate(
    'failed',
    `${row.failures} failure in ${row.cases} cases (seed ${row.seed}): ${row.failure ?? ''}`.trimEnd(),
  );
}

/** The first anomaly of a check, as one line: its id, kind, explanation and smallest history. */
function firstAnomaly(check: CheckSummary): string {
  const [a] = check.anomalies;
  if (a === undefined) return '';
  const shrunk = a.minimal ? '' : ' (shrinking ran out of budget: smaller may exist)';
  return `; first: ${a.kind} on ${JSON.stringify(a.id)}: ${a.explanation}${shrunk}: ${a.lines.join(' | ')}`;
}

/**
 * Two processes on one store: every id's history linearizable. An anomaly fails the gate, and so
 * does 'unknown' (the checker's budget ran out): unchecked is never passed, as in Jepsen.
 */
export function linearizabilityGate(backend: string, row: TwoProcessHistoryResult | undefined): Gate {
  const gate = gateOf('linearizability', backend);
  if (row === undefined) return gate('skipped', 'no two-process history run');
  const { check } = row;
  const status = check.anomalous === 0 && check.unknown === 0 ? 'passed' : 'failed';
  const unknown = check.unknown === 0 ? '' : `; unknown (budget ran out, not a pass): ${listed(check.unknownIds)}`;
  return gate(
    status,
    `${row.processes} processes, ${row.clients} clients: ${describeCheck(check)}${unknown}${firstAnomaly(check)}`,
  );
}

/**
 * Every acknowledged write survives the master's SIGKILL and the replica's promotion: the gate is on
 * `lost`, what README promises. The history check is reported beside it, not gated: Redis
 * replication is asynchronous (WAIT included), so anomalies under failover are the measured risk.
 */
export function failoverGate(backend: string, outcome: FailoverResult | { error: string }): Gate {
  const gate = gateOf('failover', backend);
  if ('error' in outcome) return gate('failed', `the failover scenario could not run: ${outcome.error}`);
  const { attempted, acknowledged, lost, unavailableWindowMs, writeStallMs, linearizability } = outcome;
  const window =
    unavailableWindowMs === null ? 'no unavailable window' : `unavailable ${Math.round(unavailableWindowMs)} ms`;
  return gate(
    lost === 0 ? 'passed' : 'failed',
    `${lost} lost of ${acknowledged} acknowledged (${attempted} attempted); ${window}, write stall ${Math.round(writeStallMs)} ms; history (reported, not gated): ${describeCheck(linearizability)}${firstAnomaly(linearizability)}`,
  );
}

/**
 * Under partitions Redis Cluster may lose acknowledged writes, serve stale reads and let two
 * compare-and-sets from the same version both succeed: its replication is asynchronous, WAIT is
 * not consensus, and its specification says so. Those figures are the measured risk, shown, not
 * gated. What sessionbench itself guarantees whatever the store replicates is that a read returns
 * a state written under that id: an impossible read (another id's session, a state no client
 * wrote) fails the gate. So does a run in which no partition caused a failover: it tested nothing.
 */
export function partitionGate(
  backend: string,
  outcome: readonly PartitionRun[] | { error: string } | { skipped: string },
): Gate {
  const gate = gateOf('partition', backend);
  if ('error' in outcome) return gate('failed', `the partition scenario could not run: ${outcome.error}`);
  if ('skipped' in outcome) return gate('skipped', outcome.skipped);
  const text = (r: PartitionRun): string =>
    `replicas ${r.replicas}: ${r.partitions} partitions (${r.undetected} without failover), ${r.acknowledged} writes acknowledged, ${r.lost} lost, ${r.staleReads} stale reads, ${r.lostUpdates} lost updates, ${r.impossibleReads} impossible reads; checker ${r.checker.ok} ok / ${r.checker.anomalous} anomalous / ${r.checker.unknown} unknown ids`;
  const impossible = outcome.filter((r) => r.impossibleReads > 0);
  const untested = outcome.filter((r) => r.partitions > 0 && r.undetected === r.partitions);
  const status = impossible.length === 0 && untested.length === 0 ? 'passed' : 'failed';
  const why = [
    ...(untested.length > 0
      ? [`no partition caused a failover (replicas ${untested.map((r) => r.replicas).join(', ')})`]
      : []),
    ...impossible.flatMap((r) => r.examples.filter((e) => e.startsWith('impossible'))),
  ];
  return gate(status, `${listed(outcome.map(text))}${why.length === 0 ? '' : examples(why)}`);
}

/** The gates of one backend that the reliability run covered (its scenarios in the registry); `skipped` reasons name the scenario and backend. */
export function reliabilityGates(backend: string, reliability: ReliabilityReport): Gate[] {
  const base = (name: string): string => name.replace(/\+aes$/, '');
  const why = (gate: Gate): Gate => {
    if (gate.status !== 'skipped') return gate;
    const reasons = reliability.skipped.filter((s) => s.includes(backend));
    return reasons.length === 0 ? gate : { ...gate, detail: listed(reasons) };
  };
  // failover and partition have their own runs and gates; the others are runReliability's.
  return faultScenarios(backend)
    .filter((name) => name !== 'failover' && name !== 'partition')
    .map((name) => {
      if (name === 'crash-durability')
        return crashGate(
          backend,
          reliability.crash.filter((r) => r.backend === backend),
        );
      if (name === 'corruption')
        return corruptionGate(
          backend,
          reliability.corruption.filter((r) => base(r.backend) === backend),
        );
      if (name === 'postgres-crash')
        return why(
          crashGate(
            backend,
            reliability.crash.filter((r) => r.backend === backend),
            name,
          ),
        );
      if (name === 'postgres-terminate')
        return why(
          postgresTerminateGate(
            backend,
            reliability.postgresTerminate.filter((r) => r.backend === backend),
          ),
        );
      if (name === 'redis-faults') return why(redisFaultsGate(backend, reliability.redisFaults));
      if (name === 'linearizability')
        return linearizabilityGate(
          backend,
          reliability.histories.find((r) => r.backend === backend),
        );
      return why(
        hostileGate(
          backend,
          reliability.hostileInput.find((r) => r.backend === backend),
        ),
      );
    });
}
