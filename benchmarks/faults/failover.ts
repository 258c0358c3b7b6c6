// Redis Cluster failover under load: two SessionManagers (each over its own redis-cluster
// backend, replicas: 1, retrying UNAVAILABLE with backoff) update and touch shared sessions;
// the master owning the namespace's slot is SIGKILLed; the cluster promotes its replica. Every
// session acknowledged must afterwards be present at its last acknowledged version: lost = 0.
// Always on a cluster it started (it kills one of its processes), loopback only, every loop
// bounded by a count and a time limit.
import { isDeepStrictEqual } from 'node:util';
import type { Session, SessionBackend } from '../../backends/contract.js';
import { errorCode } from '../../backends/errors.js';
import { SessionManager } from '../../backends/manager.js';
import redisCluster from '../../backends/redis-cluster.js';
import { RedisKeys } from '../../backends/redis-keys.js';
import { masterOf, startRedisCluster, type LocalRedisCluster } from '../../backends/servers/redis-cluster.js';

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

async function underLoad(cluster: LocalRedisCluster, options: FailoverOptions, started: number, deadline: number): Promise<FailoverResult> {
  const namespace = `failover-${process.pid}-${started}`;
  const open = (replicas: number): Promise<SessionBackend> =>
    redisCluster.open({ dir: '', namespace, options: { nodes: cluster.seeds, replicas, replicaTimeoutMs: 500, commandTimeoutMs: 1000, connectTimeoutMs: 1000 } });
  const outage = new Outage();
  const managerOptions = { unavailableRetries: options.unavailableRetries ?? 9, backoffMs: options.backoffMs ?? 20, defaultTimeoutMs: null };
  const managers = [new SessionManager(outage.observe(await open(1)), managerOptions), new SessionManager(outage.observe(await open(1)), managerOptions)];
  const counts = { attempted: 0, acknowledged: 0, failed: 0 };
  const acked = new Map<string, Session>();
  const stall = { killedAt: undefined as number | undefined, lastAckAt: 0, longestMs: 0 };
  const acknowledge = (session: Session | undefined): void => {
    counts.acknowledged++;
    const now = Date.now();
    if (stall.killedAt !== undefined) stall.longestMs = Math.max(stall.longestMs, now - Math.max(stall.lastAckAt, stall.killedAt));
    stall.lastAckAt = now;
    if (session !== undefined && session.version > (acked.get(session.id)?.version ?? 0)) acked.set(session.id, structuredClone(session));
  };
  const write = async (op: () => Promise<Session | undefined>): Promise<void> => {
    counts.attempted++;
    try {
      acknowledge(await op());
    } catch (err) {
      if (errorCode(err) !== 'UNAVAILABLE') throw err;
      counts.failed++;
    }
  };
  try {
    for (let i = 0; i < (options.sessions ?? 20); i++) await write(() => managers[i % 2]!.create({ metadata: { n: 0 } }));
    const ids = [...acked.keys()];
    let stopping = false;
    const loop = async (manager: SessionManager, worker: number): Promise<void> => {
      for (let n = 1; !stopping && Date.now() < deadline; n++) {
        const id = ids[(worker * 7 + n) % ids.length]!;
        await write(() => (n % 2 === 0 ? manager.touch(id) : manager.updateMetadata(id, { [`w${worker}`]: n })));
      }
    };
    const workers = managers.flatMap((manager, m) => Array.from({ length: options.workersPerManager ?? 2 }, (_, w) => loop(manager, m * 10 + w)));
    try {
      await until(() => counts.acknowledged >= (options.acksBefore ?? 200), deadline, 'writes before the kill');
      const key = new RedisKeys(namespace).index;
      const killedPort = await masterOf(cluster.nodes[0]!.port, key);
      const killed = cluster.nodes.find((node) => node.port === killedPort)!;
      const killedAt = Date.now();
      stall.killedAt = killedAt;
      process.kill(killed.pid, 'SIGKILL');
      const survivor = cluster.nodes.find((node) => node !== killed)!;
      let promotedPort: number | null = null;
      let promotionMs: number | null = null;
      while (promotedPort === null && Date.now() < deadline) {
        const owner = await masterOf(survivor.port, key).catch(() => killedPort);
        if (owner !== killedPort) {
          promotedPort = owner;
          promotionMs = Date.now() - killedAt;
        } else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      await until(() => outage.recoveredAt !== undefined, deadline, 'the first acknowledged write after the failover');
      const ackedAtRecovery = counts.acknowledged;
      await until(() => counts.acknowledged >= ackedAtRecovery + (options.acksAfter ?? 200), deadline, 'writes after recovery');
      stopping = true;
      await Promise.all(workers);
      const lost = await countLost(await open(0), acked);
      const unavailableRetried = managers.reduce((sum, manager) => sum + manager.stats().unavailableRetried, 0);
      return {
        ...counts,
        lost,
        sessions: ids.length,
        unavailableWindowMs: outage.firstFailureAt === undefined ? null : outage.recoveredAt! - outage.firstFailureAt,
        writeStallMs: stall.longestMs,
        promotionMs,
        unavailableErrors: outage.errors,
        unavailableRetried,
        killedPort,
        promotedPort,
        durationMs: Date.now() - started,
      };
    } finally {
      stopping = true;
      await Promise.allSettled(workers);
    }
  } finally {
    await Promise.allSettled(managers.map((manager) => manager.close()));
  }
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
