// Redis Cluster under network partitions, as Jepsen tests it: a 3 + 3 cluster and three client
// processes, each in a network namespace of its own (backends/servers/netns.ts). Each partition
// cuts the master owning the clients' slot, together with one of the three clients, off from
// everything else for longer than cluster-node-timeout, so the majority promotes its replica
// while the isolated master still answers its client; then it heals and the cluster settles.
// The clients record every operation; afterwards the final state is read and the history is
// counted (partition-figures.ts: writes acknowledged, lost, stale reads, lost updates) and checked
// for linearizability (linearizability.ts: a verdict per session id).
// Redis documents that a minority master's acknowledged writes can be lost; those figures are
// the measured risk. Everything runs with a bound, and every namespace, node and client is gone
// afterwards, on failure too.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import redisCluster from '../../backends/redis-cluster.js';
import { RedisKeys } from '../../backends/redis-keys.js';
import { onProcessEnd } from '../../backends/servers/exit-hooks.js';
import { createPrivateNetwork, type NetnsMember, type PrivateNetwork } from '../../backends/servers/netns.js';
import {
  masterOf,
  startRedisCluster,
  waitClusterOk,
  type LocalRedisCluster,
} from '../../backends/servers/redis-cluster.js';
import { siblingScriptArgs } from '../../backends/sibling-script.js';
import { withTimeout } from '../../backends/timeout.js';
import { ascending, median } from '../stats.js';
import { historyClock, type HistoryEvent } from './history.js';
import type { PartitionClientConfig } from './partition-client.js';
import { partitionFigures, type PartitionFigures } from './partition-figures.js';
import { checkHistory, type CheckSummary } from './linearizability.js';

export interface PartitionOptions {
  /** The backend's `replicas` option in the clients: replicas that must confirm each write. */
  replicas: number;
  partitions: number;
  nodeTimeoutMs?: number;
  /** Session ids the clients share. */
  ids?: number;
  seed?: number;
  /** Called at each step, for progress lines. */
  onStep?: (step: string) => void;
  /** Called while the network is cut (tests check the cut really isolates). */
  duringPartition?: (view: PartitionView) => Promise<void>;
}

/** What a test may look at while a partition holds. */
export interface PartitionView {
  isolatedMaster: NetnsMember;
  /** A client namespace on the majority side. */
  majorityClient: NetnsMember;
  /** "host:port" of a cluster node on the majority side. */
  majorityNode: string;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface PartitionRun extends PartitionFigures {
  replicas: number;
  partitions: number;
  clients: number;
  sessions: number;
  nodeTimeoutMs: number;
  /** Partition start to the majority's CLUSTER SLOTS naming another master for the slot. */
  detectMs: Spread | null;
  /** Partitions after which no failover was seen before the heal. */
  undetected: number;
  /** Heal to cluster_state:ok on every node, with every replica linked. */
  healMs: Spread | null;
  /** The linearizability checker's verdicts on the whole history, id by id. */
  checker: CheckSummary;
  durationMs: number;
}

const NODES = 6;
const CLIENTS = 3;
const STEP_TIMEOUT_MS = 20_000;
const POLL_MS = 50;
/** A client compiles its script (tsx from source) and connects: slow on a loaded 2-core machine. */
const CLIENT_START_TIMEOUT_MS = 60_000;

function spread(values: number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = ascending(values);
  return { min: Math.round(sorted[0]!), median: Math.round(median(sorted)), max: Math.round(sorted.at(-1)!) };
}

/** One partition scenario with `options.replicas`, or { skipped } when namespaces can't be made here. */
export async function runPartitionScenario(options: PartitionOptions): Promise<PartitionRun | { skipped: string }> {
  const step = options.onStep ?? (() => {});
  step('creating network namespaces');
  const network = await createPrivateNetwork(NODES + CLIENTS);
  if ('skipped' in network) return network;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessionbench-partition-'));
  let cluster: LocalRedisCluster | undefined;
  const clients: ChildProcess[] = [];
  try {
    const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
    step('starting a 3 + 3 Redis Cluster in the namespaces');
    cluster = await startRedisCluster({
      masters: 3,
      replicasPerMaster: 1,
      nodeTimeoutMs,
      placeNode: (i) => ({ host: network.members[i]!.address, port: 6379, commandPrefix: network.members[i]!.exec }),
    });
    return await underPartitions(network, cluster, clients, dir, { ...options, nodeTimeoutMs }, step);
  } finally {
    step('tearing down');
    for (const child of clients) child.kill('SIGKILL');
    await cluster?.stop();
    await network.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function underPartitions(
  network: PrivateNetwork,
  cluster: LocalRedisCluster,
  clients: ChildProcess[],
  dir: string,
  options: PartitionOptions & { nodeTimeoutMs: number },
  step: (text: string) => void,
): Promise<PartitionRun> {
  const started = Date.now();
  const namespace = `partition-${network.runId}`;
  const ids = Array.from({ length: options.ids ?? 8 }, (_, i) => `s${i}`);
  const slotKey = new RedisKeys(namespace).index;
  const clientMembers = network.members.slice(NODES);
  step(`starting ${CLIENTS} clients (replicas: ${options.replicas})`);
  const files = await Promise.all(
    clientMembers.map((member, i) =>
      startClient(member, clients, {
        client: `c${i}`,
        nodes: cluster.seeds,
        namespace,
        ids,
        replicas: options.replicas,
        historyFile: path.join(dir, `c${i}.jsonl`),
        seed: (options.seed ?? 1) * 10 + i,
        createdAt: started,
        thinkMs: 10,
        commandTimeoutMs: 500,
      }),
    ),
  );
  await sleep(options.nodeTimeoutMs);
  const detect: number[] = [];
  const heal: number[] = [];
  let undetected = 0;
  for (let p = 1; p <= options.partitions; p++) {
    const master = await masterOf(cluster.seeds[0]!, slotKey);
    const isolated = network.members[cluster.seeds.indexOf(master)]!;
    const majority = cluster.seeds.find((seed) => seed !== master)!;
    step(`partition ${p}/${options.partitions}: isolating master ${master} with client c0`);
    await network.partition([isolated, clientMembers[0]!]);
    const cutAt = Date.now();
    // Held past the failover and then one more node timeout: the isolated master's whole window.
    let detectedAt: number | undefined;
    while (Date.now() - cutAt < Math.max(3 * options.nodeTimeoutMs, STEP_TIMEOUT_MS / 2)) {
      const owner = await masterOf(majority, slotKey).catch(() => master);
      if (owner !== master) {
        detectedAt = Date.now();
        break;
      }
      await sleep(POLL_MS);
    }
    if (detectedAt === undefined) undetected++;
    else detect.push(detectedAt - cutAt);
    await options.duringPartition?.({
      isolatedMaster: isolated,
      majorityClient: clientMembers[1]!,
      majorityNode: majority,
    });
    await sleep(Math.max(0, cutAt + 3 * options.nodeTimeoutMs - Date.now(), options.nodeTimeoutMs));
    await network.heal();
    const healedAt = Date.now();
    step(`partition ${p}/${options.partitions}: healed, waiting for cluster_state:ok`);
    await waitClusterOk(cluster.seeds, NODES, STEP_TIMEOUT_MS);
    heal.push(Date.now() - healedAt);
    await sleep(options.nodeTimeoutMs / 2);
  }
  step('stopping the clients');
  await Promise.all(clients.map((child) => stopClient(child)));
  const history = files.flatMap(readHistory);
  await readFinal(cluster.seeds, namespace, ids, history);
  return {
    replicas: options.replicas,
    partitions: options.partitions,
    clients: CLIENTS,
    sessions: ids.length,
    nodeTimeoutMs: options.nodeTimeoutMs,
    ...partitionFigures(history),
    checker: checkHistory(history, { budgetMsPerId: 3000, maxAnomalies: 3 }),
    detectMs: spread(detect),
    undetected,
    healMs: spread(heal),
    durationMs: Date.now() - started,
  };
}

/** Starts one client in its namespace; resolves with its history file once it is ready. */
async function startClient(
  member: NetnsMember,
  clients: ChildProcess[],
  config: PartitionClientConfig,
): Promise<string> {
  const [command, ...prefix] = member.exec;
  const child = spawn(
    command!,
    [...prefix, process.execPath, ...siblingScriptArgs(import.meta.url, 'partition-client'), JSON.stringify(config)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  clients.push(child);
  child.once(
    'exit',
    onProcessEnd(() => child.kill('SIGKILL')),
  );
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) =>
      reject(new Error(`client ${config.client} exited (${code}) before it was ready: ${output}`)),
    );
  });
  await withTimeout(
    ready,
    CLIENT_START_TIMEOUT_MS,
    `client ${config.client} was not ready within ${CLIENT_START_TIMEOUT_MS} ms`,
  );
  return config.historyFile;
}

/** Closes its stdin (it finishes the operation under way and exits); killed if it does not. */
async function stopClient(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = once(child, 'exit');
  child.stdin!.end();
  if ((await withTimeout(exit, STEP_TIMEOUT_MS, { resolveWith: 'hung' as const })) === 'hung') {
    child.kill('SIGKILL');
    await exit;
  }
}

function readHistory(file: string): HistoryEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as HistoryEvent);
}

/** Reads every id on the healed cluster, appending the reads to the history as client 'final'. */
async function readFinal(seeds: string[], namespace: string, ids: string[], history: HistoryEvent[]): Promise<void> {
  const backend = await redisCluster.open({ dir: '', namespace, options: { nodes: seeds } });
  try {
    for (const id of ids) {
      const now = Date.now();
      const invokedAt = historyClock();
      const session = await backend.fetch(id, now);
      history.push({
        client: 'final',
        call: { f: 'fetch', id, now },
        invokedAt,
        completedAt: historyClock(),
        outcome: { type: 'ok', value: session ?? null },
      });
    }
  } finally {
    await backend.close();
  }
}
