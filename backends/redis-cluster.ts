// The redis backend on a Redis Cluster (the Mnesia row, replicated): the same RedisBackend,
// scripts and key scheme, over an ioredis Cluster client instead of one connection.
//
// Hash slots: every key of a namespace carries the namespace as its hash tag (redis-keys.ts),
// so a namespace lives in ONE slot, owned by one master. That keeps each Lua script (session
// hash + expiry index + safety-net index) atomic on the cluster, so compare-and-set stays
// atomic; an index sharded per slot would split a namespace across masters and make every
// store a cross-slot write no script may do. The price: one namespace scales to one master's
// capacity, and many namespaces spread over the masters. list and cleanupExpired "cover every
// master" trivially: the only master holding a namespace's keys is its slot's owner.
//
// Option `replicas: N`: each write script goes out in one pipeline with WAIT N (or WAITAOF
// 1 N where the server has it and appendonly is on), so both run on the same connection to
// the slot's master, WAIT after the write; the write is acknowledged only when N replicas
// confirm it, else it fails UNAVAILABLE (it may have landed: the manager reads back before
// retrying a CAS). A CONFLICT is only reported once its WAIT confirmed too, so the manager's
// read-back after a lost reply never accepts a write the replicas don't hold yet.
import { Cluster, type ChainableCommander } from 'ioredis';
import type { BackendModule } from './contract.js';
import { SessionError } from './errors.js';
import { intOption } from './options.js';
import { RedisBackend, redisBackendOptions } from './redis.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS, toSessionError } from './redis-client.js';
import { defineSessionScripts, type SessionScripts } from './redis-scripts.js';
import { withTimeout } from './timeout.js';
import { DEFAULT_MAX_SESSION_BYTES } from './validate.js';

/** How long WAIT waits for the replicas by default: below the command timeout, so WAIT answers first. */
export const DEFAULT_REPLICA_TIMEOUT_MS = 1000;
/** How often the slot map is re-read, so a promoted replica is found without waiting for an error. */
const SLOTS_REFRESH_MS = 1000;

export interface ClusterConnection {
  nodes: { host: string; port: number }[];
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  /** Replicas that must confirm each write (0: the master's reply is enough). */
  replicas: number;
  replicaTimeoutMs: number;
}

function parseNode(spec: string): { host: string; port: number } {
  const match = /^([^\s:]+|\[[0-9a-fA-F:]+\]):([0-9]{1,5})$/.exec(spec.trim());
  const port = Number(match?.[2]);
  if (match === null || port < 1 || port > 65535) {
    throw new SessionError('INVALID_SESSION', `cluster node ${JSON.stringify(spec)} is not host:port`);
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Seed nodes from options.nodes (list or comma-separated), else REDIS_CLUSTER_NODES. */
export function clusterConnectionOptions(options: Record<string, unknown> | undefined): ClusterConnection {
  const given = options?.nodes ?? process.env.REDIS_CLUSTER_NODES;
  const specs = typeof given === 'string' ? given.split(',').filter((s) => s.trim() !== '') : given;
  if (specs === undefined || (Array.isArray(specs) && specs.length === 0)) {
    throw new SessionError(
      'UNAVAILABLE',
      'no Redis Cluster to connect to: pass options.nodes ["host:port", ...] or set REDIS_CLUSTER_NODES=host:port,...',
    );
  }
  if (!Array.isArray(specs) || !specs.every((s): s is string => typeof s === 'string')) {
    throw new SessionError('INVALID_SESSION', 'option nodes must be a list of "host:port" strings');
  }
  const replicas = options?.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isSafeInteger(replicas) || replicas < 0) {
    throw new SessionError('INVALID_SESSION', 'option replicas must be a non-negative integer');
  }
  return {
    nodes: specs.map(parseNode),
    commandTimeoutMs: intOption(options, 'commandTimeoutMs', DEFAULT_COMMAND_TIMEOUT_MS),
    connectTimeoutMs: intOption(options, 'connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS),
    replicas,
    replicaTimeoutMs: intOption(options, 'replicaTimeoutMs', DEFAULT_REPLICA_TIMEOUT_MS),
  };
}

/** A connected cluster client whose every wait is bounded (as connectRedis for one server). */
export async function connectCluster(connection: ClusterConnection): Promise<Cluster> {
  const cluster = new Cluster(connection.nodes, {
    lazyConnect: true,
    enableAutoPipelining: true,
    scaleReads: 'master',
    // No unbounded queue while the cluster is down: fail UNAVAILABLE, let the manager back off.
    enableOfflineQueue: false,
    slotsRefreshTimeout: connection.connectTimeoutMs,
    slotsRefreshInterval: SLOTS_REFRESH_MS,
    clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    redisOptions: {
      connectTimeout: connection.connectTimeoutMs,
      commandTimeout: connection.commandTimeoutMs,
      maxRetriesPerRequest: 1,
    },
  });
  let cause: Error | undefined;
  cluster.on('error', (err: Error) => (cause ??= err));
  try {
    await withTimeout(
      cluster.connect(),
      connection.connectTimeoutMs,
      `no answer within ${connection.connectTimeoutMs} ms`,
    );
  } catch (err) {
    cluster.disconnect();
    const seeds = connection.nodes.map((n) => `${n.host}:${n.port}`).join(',');
    throw new SessionError(
      'UNAVAILABLE',
      `cannot connect to the Redis Cluster at ${seeds}: ${(cause ?? (err as Error)).message}`,
      { cause: err },
    );
  }
  return cluster;
}

/** WAITAOF exists from Redis 7.2 and only means something with appendonly on (checked on one master: a cluster is uniform). */
async function waitAofSupported(cluster: Cluster): Promise<boolean> {
  const master = cluster.nodes('master')[0];
  if (master === undefined) return false;
  const [server, persistence] = await Promise.all([master.info('server'), master.info('persistence')]);
  const [major = 0, minor = 0] = (/redis_version:(\d+)\.(\d+)/.exec(server) ?? []).slice(1).map(Number);
  return (major > 7 || (major === 7 && minor >= 2)) && /aof_enabled:1/.test(persistence);
}

type ScriptPipeline = ChainableCommander & {
  [Name in keyof SessionScripts]: (...args: string[]) => ChainableCommander;
};

/** The session scripts, each acknowledged by `replicas` replicas (see the header). */
function acknowledgedScripts(cluster: Cluster, replicas: number, timeoutMs: number, waitAof: boolean): SessionScripts {
  defineSessionScripts(cluster); // pipelines inherit the client's scripts
  const wait = waitAof
    ? ['WAITAOF', '1', String(replicas), String(timeoutMs)]
    : ['WAIT', String(replicas), String(timeoutMs)];
  const run = async (name: keyof SessionScripts, args: string[]): Promise<never> => {
    const pipeline = cluster.pipeline() as ScriptPipeline;
    pipeline[name](...args);
    pipeline.call(wait[0]!, ...wait.slice(1));
    const [[scriptError, reply] = [], [waitError, confirmed] = []] = (await pipeline.exec()) ?? [];
    if (scriptError) {
      // A redirect inside a pipeline is not followed (WAIT made it non-retriable): re-read the
      // slot map so the caller's retry reaches the new owner.
      if (/^(MOVED|ASK) /.test(scriptError.message)) cluster.refreshSlotsCache();
      throw toSessionError(scriptError);
    }
    if (waitError) throw toSessionError(waitError);
    const [local, remote] = waitAof ? (confirmed as [number, number]) : [1, confirmed as number];
    if (local < 1 || remote < replicas) {
      throw new SessionError(
        'UNAVAILABLE',
        `${wait[0]}: ${remote} of ${replicas} replicas confirmed the write within ${timeoutMs} ms (it may have landed on the master)`,
      );
    }
    return reply as never;
  };
  return {
    sbStore: (...args) => run('sbStore', args),
    sbTouch: (...args) => run('sbTouch', args),
    sbDelete: (...args) => run('sbDelete', args),
    sbPrune: (...args) => run('sbPrune', args),
    sbCleanup: (...args) => run('sbCleanup', args),
  };
}

const redisCluster: BackendModule = {
  name: 'redis-cluster',
  description:
    'Redis Cluster via ioredis (Mnesia, replicated): one hash-tagged slot per namespace; replicas: N waits for N replicas per write.',
  capabilities: { persistent: true, shared: true, maxSessionBytes: DEFAULT_MAX_SESSION_BYTES },
  async open(context) {
    const connection = clusterConnectionOptions(context.options);
    const options = redisBackendOptions(context.options, connection.commandTimeoutMs);
    const cluster = await connectCluster(connection);
    if (connection.replicas === 0) return new RedisBackend(cluster, context.namespace, options);
    let waitAof: boolean;
    try {
      waitAof = await waitAofSupported(cluster);
    } catch (err) {
      cluster.disconnect();
      throw toSessionError(err);
    }
    const scripts = acknowledgedScripts(cluster, connection.replicas, connection.replicaTimeoutMs, waitAof);
    return new RedisBackend(cluster, context.namespace, options, scripts);
  },
};

export default redisCluster;
