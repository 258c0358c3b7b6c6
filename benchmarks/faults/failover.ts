// Redis Cluster failover under load: two SessionManagers (each over its own redis-cluster
// backend, replicas: 1, retrying UNAVAILABLE with backoff) update and touch shared sessions;
// the master owning the namespace's slot is SIGKILLed; the cluster promotes its replica. Every
// session acknowledged must afterwards be present at its last acknowledged version: lost = 0.
// Every backend call of the managers, and the final reads, are recorded and the history checked
// for linearizability: what it finds is reported (Redis replication is asynchronous, WAIT included:
// it is the measured risk), the gate stays on `lost`.
// Always on a cluster it started (it kills one of its processes), loopback only, every loop
// bounded by a count and a time limit.
import { isDeepStrictEqual } from 'node:util';
import type { Session, SessionBackend } from '../../backends/contract.js';
import { errorCode } from '../../backends/errors.js';
import { SessionManager } from '../../backends/manager.js';
import redisCluster from '../../backends/redis-cluster.js';
import { RedisKeys } from '../../backends/redis-keys.js';
import { masterOf, startRedisCluster, type LocalRedisCluster } from '../../backends/servers/redis-cluster.js';
import type { HistoryEvent } from './history.js';
import { checkHistory, type CheckSummary } from './linearizability.js';
import { recordHistory } from './record-history.js';

export interface FailoverOptions {
  /** Concurrent sessions under load. */
  sessions?: number;
  /** Concurrent write loops per manager. */
  workersPerManager?: number;
  /** Writes acknowledged before the kill, and after recovery before the load stops. */
  acksBefore?: number;
  acksAfter?: number;
  /** Bound on the whole run. */
  timeLimitMs?: number;
  /** The managers' UNAVAILABLE retries and first backoff (doubling). */
  unavailableRetries?: number;
  backoffMs?: number;
}

export interface FailoverResult {
  /** Manager writes (create, updateMetadata, touch) started, resolved, and rejected after retries. */
  attempted: number;
  acknowledged: number;
  failed: number;
  /** Acknowledged sessions missing or behind their last acknowledged version afterwards. Must be 0. */
  lost: number;
  sessions: number;
  /** First UNAVAILABLE write to the first acknowledged write after it, as the clients saw it (includes backoff). */
  unavailableWindowMs: number | null;
  /** From the SIGKILL on, the longest time no write was acknowledged (the stall includes ioredis' own redirection retries). */
  writeStallMs: number;
  /** SIGKILL to the replica owning the slot in CLUSTER SLOTS, as the cluster saw it. */
  promotionMs: number | null;
  /** Backend calls refused UNAVAILABLE, and the managers' retries of them. */
  unavailableErrors: number;
  unavailableRetried: number;
  killedPort: number;
  promotedPort: number | null;
  durationMs: number;
  /** The linearizability check of every recorded backend call (managers' and the final reads), per session id. */
  linearizability: CheckSummary;
}

/** When calls started failing UNAVAILABLE (reads too: a manager write reads first) and when a write first succeeded again. */
class Outage {
  errors = 0;
  firstFailureAt: number | undefined;
  recoveredAt: number | undefined;

  observe(backend: SessionBackend): SessionBackend {
    const watch = async <T>(call: Promise<T>, isWrite = false): Promise<T> => {
      try {
        const result = await call;
        if (isWrite && this.firstFailureAt !== undefined) this.recoveredAt ??= Date.now();
        return result;
      } catch (err) {
        if (errorCode(err) === 'UNAVAILABLE') {
          this.errors++;
          this.firstFailureAt ??= Date.now();
        }
        throw err;
      }
    };
    return {
      store: (session, options) => watch(backend.store(session, options), true),
      fetch: (id, now) => watch(backend.fetch(id, now)),
      delete: (id) => watch(backend.delete(id)),
      list: (now) => watch(backend.list(now)),
      cleanupExpired: (now) => watch(backend.cleanupExpired(now)),
      close: () => backend.close(),
    };
  }
}

const POLL_MS = 20;

async function until(condition: () => boolean, deadline: number, what: string): Promise<void> {
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`failover scenario: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function runFailoverScenario(options: FailoverOptions = {}): Promise<FailoverResult> {
  const started = Date.now();
  const deadline = started + (options.timeLimitMs ?? 40_000);
  // One spare replica: the master promoted in place of the killed one has no replica of its
  // own, and WAIT 1 can't succeed until the cluster migrates the spare to it.
  const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, spareReplicas: 1 });
  try {
    return await underLoad(cluster, options, started, deadline);
  } finally {
    await cluster.stop();
  }
}

async function underLoad(
  cluster: LocalRedisCluster,
  options: FailoverOptions,
  started: number,
  deadline: number,
): Promise<FailoverResult> {
  const namespace = `failover-${process.pid}-${started}`;
  const open = (replicas: number): Promise<SessionBackend> =>
    redisCluster.open({
      dir: '',
      namespace,
      options: {
        nodes: cluster.seeds,
        replicas,
        replicaTimeoutMs: 500,
        commandTimeoutMs: 1000,
        connectTimeoutMs: 1000,
      },
    });
  const outage = new Outage();
  const managerOptions = {
    unavailableRetries: options.unavailableRetries ?? 9,
    backoffMs: options.backoffMs ?? 20,
    defaultTimeoutMs: null,
  };
  const history: HistoryEvent[] = [];
  const managers = [
    new SessionManager(outage.observe(recordHistory(await open(1), 'm0', history)), managerOptions),
    new SessionManager(outage.observe(recordHistory(await open(1), 'm1', history)), managerOptions),
  ];
  const writes = new Writes();
  try {
    const ids = await createSessions(writes, managers, options.sessions ?? 20);
    const load = startLoad(writes, managers, ids, options.workersPerManager ?? 2, deadline);
    try {
      await until(() => writes.acknowledged >= (options.acksBefore ?? 200), deadline, 'writes before the kill');
      const key = new RedisKeys(namespace).index;
      const kill = await killMaster(cluster, key, writes);
      const promotion = await awaitPromotion(kill, key, deadline);
      await awaitRecovery(writes, outage, options.acksAfter ?? 200, deadline);
      load.stopping = true;
      await Promise.all(load.workers);
      const lost = await countLost(recordHistory(await open(0), 'after', history), writes.acked);
      return {
        attempted: writes.attempted,
        acknowledged: writes.acknowledged,
        failed: writes.failed,
        lost,
        sessions: ids.length,
        unavailableWindowMs: outage.firstFailureAt === undefined ? null : outage.recoveredAt! - outage.firstFailureAt,
        writeStallMs: writes.longestStallMs,
        promotionMs: promotion.promotionMs,
        unavailableErrors: outage.errors,
        unavailableRetried: managers.reduce((sum, manager) => sum + manager.stats().unavailableRetried, 0),
        killedPort: kill.port,
        promotedPort: promotion.promotedPort,
        durationMs: Date.now() - started,
        linearizability: checkHistory(history),
      };
    } finally {
      load.stopping = true;
      await Promise.allSettled(load.workers);
    }
  } finally {
    await Promise.allSettled(managers.map((manager) => manager.close()));
  }
}

/** Manager writes: their counts, each session's last acknowledged state, and the longest time without an ack since the kill. */
class Writes {
  attempted = 0;
  acknowledged = 0;
  failed = 0;
  readonly acked = new Map<string, Session>();
  /** Set at the SIGKILL: stalls count from it. */
  killedAt: number | undefined;
  lastAckAt = 0;
  longestStallMs = 0;

  /** One manager write: UNAVAILABLE (after the manager's retries) is counted as failed, any other error thrown. */
  async write(op: () => Promise<Session | undefined>): Promise<void> {
    this.attempted++;
    try {
      this.acknowledge(await op());
    } catch (err) {
      if (errorCode(err) !== 'UNAVAILABLE') throw err;
      this.failed++;
    }
  }

  private acknowledge(session: Session | undefined): void {
    this.acknowledged++;
    const now = Date.now();
    if (this.killedAt !== undefined)
      this.longestStallMs = Math.max(this.longestStallMs, now - Math.max(this.lastAckAt, this.killedAt));
    this.lastAckAt = now;
    if (session !== undefined && session.version > (this.acked.get(session.id)?.version ?? 0))
      this.acked.set(session.id, structuredClone(session));
  }
}

/** Creates the sessions the load works on, alternating managers; the ids of those acknowledged. */
async function createSessions(writes: Writes, managers: SessionManager[], count: number): Promise<string[]> {
  for (let i = 0; i < count; i++) await writes.write(() => managers[i % 2]!.create({ metadata: { n: 0 } }));
  return [...writes.acked.keys()];
}

/** The write loops (touch and update metadata, alternating); each ends at the deadline or once `stopping` is set. */
interface Load {
  stopping: boolean;
  workers: Promise<void>[];
}

function startLoad(
  writes: Writes,
  managers: SessionManager[],
  ids: string[],
  workersPerManager: number,
  deadline: number,
): Load {
  const load: Load = { stopping: false, workers: [] };
  const loop = async (manager: SessionManager, worker: number): Promise<void> => {
    for (let n = 1; !load.stopping && Date.now() < deadline; n++) {
      const id = ids[(worker * 7 + n) % ids.length]!;
      await writes.write(() => (n % 2 === 0 ? manager.touch(id) : manager.updateMetadata(id, { [`w${worker}`]: n })));
    }
  };
  load.workers = managers.flatMap((manager, m) =>
    Array.from({ length: workersPerManager }, (_, w) => loop(manager, m * 10 + w)),
  );
  return load;
}

interface Kill {
  address: string;
  port: number;
  at: number;
  /** A node still up, to ask who owns the slot. */
  survivor: string;
}

/** SIGKILLs the master owning `key`'s slot; write stalls count from here. */
async function killMaster(cluster: LocalRedisCluster, key: string, writes: Writes): Promise<Kill> {
  const address = await masterOf(cluster.nodes[0]!.address, key);
  const killed = cluster.nodes.find((node) => node.address === address)!;
  const at = Date.now();
  writes.killedAt = at;
  process.kill(killed.pid, 'SIGKILL');
  const survivor = cluster.nodes.find((node) => node !== killed)!;
  return { address, port: killed.port, at, survivor: survivor.address };
}

/** Polls a surviving node until another master owns the slot; both null if the deadline passes first. */
async function awaitPromotion(
  kill: Kill,
  key: string,
  deadline: number,
): Promise<{ promotionMs: number | null; promotedPort: number | null }> {
  while (Date.now() < deadline) {
    const owner = await masterOf(kill.survivor, key).catch(() => kill.address);
    if (owner !== kill.address) return { promotionMs: Date.now() - kill.at, promotedPort: Number(owner.split(':')[1]) };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { promotionMs: null, promotedPort: null };
}

/** The first write acknowledged after the failover, then acksAfter more. */
async function awaitRecovery(writes: Writes, outage: Outage, acksAfter: number, deadline: number): Promise<void> {
  await until(() => outage.recoveredAt !== undefined, deadline, 'the first acknowledged write after the failover');
  const ackedAtRecovery = writes.acknowledged;
  await until(() => writes.acknowledged >= ackedAtRecovery + acksAfter, deadline, 'writes after recovery');
}

/** Reads every acknowledged session back on a fresh client: present, and at (or past) its last acknowledged version. */
async function countLost(backend: SessionBackend, acked: Map<string, Session>): Promise<number> {
  let lost = 0;
  try {
    for (const [id, session] of acked) {
      const stored = await backend.fetch(id, session.lastAccessedAt);
      // Past it only by a write that landed with its acknowledgement lost; equal must be identical.
      const kept = stored !== undefined && (stored.version > session.version || isDeepStrictEqual(stored, session));
      if (!kept) lost++;
      await backend.delete(id);
    }
  } finally {
    await backend.close();
  }
  return lost;
}
