// A local Redis Cluster for a run: `masters` masters with `replicasPerMaster` replicas each (plus
// `spareReplicas`), as private redis-server processes on free loopback ports (or where `placeNode`
// puts each: its own network namespace and address), joined with `redis-cli --cluster create`. A short cluster-node-timeout makes failover take about a second.
// Torn down whatever happens: stop() kills every node and removes the config dir, and
// startRedisServer's exit / signal hook kills any node still running.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer, type RedisServerOptions } from './redis-server.js';

const run = promisify(execFile);

export interface ClusterNode {
  host: string;
  port: number;
  /** "host:port", as the cluster names it. */
  address: string;
  pid: number;
}

export interface LocalRedisCluster {
  nodes: ClusterNode[];
  /** "host:port" of every node: the backend's `nodes` option. */
  seeds: string[];
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** Extra replicas: the cluster migrates one to a master left without any (replica migration). */
  spareReplicas?: number;
  /** cluster-node-timeout: how long a node may be unreachable before it is failed over. */
  nodeTimeoutMs?: number;
  /** How long to wait for every node to report cluster_state:ok. */
  readyTimeoutMs?: number;
  /** Where node `index` runs (bind address, port, command prefix); default: a free loopback port. */
  placeNode?: (index: number) => Pick<RedisServerOptions, 'host' | 'port' | 'commandPrefix'>;
}

const COMMAND_TIMEOUT_MS = 2000;

function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

/** One command on the node at "host:port", on a short-lived connection that never hangs. */
export async function nodeCommand(address: string, command: string, ...args: string[]): Promise<unknown> {
  const client = new Redis({
    ...splitAddress(address),
    lazyConnect: true,
    connectTimeout: COMMAND_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {}); // the rejected call carries the failure
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

/**
 * Whether the node says the cluster is whole (state ok, every node known) and, on a replica,
 * that its link to the master is up: before that, WAIT would find no replica to confirm.
 */
async function clusterOk(address: string, size: number): Promise<boolean> {
  const text = (command: string, ...args: string[]): Promise<string> =>
    nodeCommand(address, command, ...args).then(String, () => '');
  const [info, replication] = await Promise.all([text('CLUSTER', 'INFO'), text('INFO', 'replication')]);
  const linked = !/role:slave/.test(replication) || /master_link_status:up/.test(replication);
  return linked && /cluster_state:ok/.test(info) && new RegExp(`cluster_known_nodes:${size}\\b`).test(info);
}

/** Polls (bounded) until every listed node says the cluster is ok. */
export async function waitClusterOk(addresses: string[], size: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(addresses.map((address) => clusterOk(address, size)));
    if (states.every(Boolean)) return;
    if (Date.now() > deadline)
      throw new Error(
        `the Redis Cluster at ${addresses.join(',')} did not reach cluster_state:ok within ${timeoutMs} ms`,
      );
    await sleep(100);
  }
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<LocalRedisCluster> {
  const masters = options.masters ?? 3;
  const perMaster = options.replicasPerMaster ?? 1;
  const size = masters * (perMaster + 1) + (options.spareReplicas ?? 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessionbench-cluster-'));
  const removeDir = (): void => fs.rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  const servers: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
    removeDir();
    process.off('exit', removeDir);
  };
  try {
    const nodeTimeout = String(options.nodeTimeoutMs ?? 1000);
    for (let i = 0; i < size; i++) {
      const nodeDir = path.join(dir, `node-${i}`);
      fs.mkdirSync(nodeDir);
      const args = [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        nodeTimeout,
      ];
      servers.push(await startRedisServer({ dir: nodeDir, args, ...options.placeNode?.(i) }));
    }
    const seeds = servers.map((server) => `${server.host}:${server.port}`);
    // --cluster-replicas N makes size / (N + 1) masters; the nodes left over become extra replicas.
    await run(
      'redis-cli',
      ['--cluster', 'create', ...seeds, '--cluster-replicas', String(perMaster), '--cluster-yes'],
      { timeout: 30_000 },
    );
    await waitClusterOk(seeds, size, options.readyTimeoutMs ?? 20_000);
    return {
      nodes: servers.map(({ host, port, pid }, i) => ({ host, port, address: seeds[i]!, pid })),
      seeds,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The "host:port" of the master that owns `key`'s slot, asked of the node at `address`. */
export async function masterOf(address: string, key: string): Promise<string> {
  const slot = Number(await nodeCommand(address, 'CLUSTER', 'KEYSLOT', key));
  const ranges = (await nodeCommand(address, 'CLUSTER', 'SLOTS')) as [
    number,
    number,
    [string, number, ...unknown[]],
    ...unknown[],
  ][];
  const owner = ranges.find(([first, last]) => first <= slot && slot <= last);
  if (owner === undefined) throw new Error(`no master owns slot ${slot}`);
  return `${owner[2][0]}:${owner[2][1]}`;
}

/**
 * The cluster `sessionbench verify --backend redis-cluster` runs on: REDIS_CLUSTER_NODES when
 * set (stop() leaves it alone), else a local 3 + 3 cluster started here (stop() tears it down);
 * skipped, with the reason, when neither is possible (no redis-server / redis-cli installed).
 */
export async function provideRedisCluster(): Promise<
  { nodes: string[]; source: 'env' | 'local'; stop(): Promise<void> } | { skipped: string }
> {
  const configured = process.env.REDIS_CLUSTER_NODES;
  if (configured !== undefined && configured.trim() !== '') {
    return {
      nodes: configured
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      source: 'env',
      stop: async () => {},
    };
  }
  try {
    const cluster = await startRedisCluster();
    return { nodes: cluster.seeds, source: 'local', stop: cluster.stop };
  } catch (err) {
    return { skipped: `no REDIS_CLUSTER_NODES and no local Redis Cluster could be started: ${(err as Error).message}` };
  }
}
