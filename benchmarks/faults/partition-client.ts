// One client of the partition scenario, run inside its own network namespace
// (`ip netns exec <ns> node partition-client <config>`): over the redis-cluster reference backend
// with short timeouts it reads, creates, compare-and-sets, touches and deletes a small set of
// shared session ids until its stdin closes, and appends every operation, recorded as a
// HistoryEvent (record-history.ts), to its history file (JSON lines). Every write names its predecessor: metadata { tag, prev } is a
// unique tag for this write and the tag of the state it was computed from, so the parent can
// tell which acknowledged writes survived and which reads were stale.
import fs from 'node:fs';
import type { Session, SessionBackend } from '../../backends/contract.js';
import redisCluster from '../../backends/redis-cluster.js';
import type { HistoryEvent } from './history.js';
import { recordHistory } from './record-history.js';
import { mulberry32 } from '../random.js';

export interface PartitionClientConfig {
  client: string;
  nodes: string[];
  namespace: string;
  ids: string[];
  /** The backend's `replicas` option: replicas that must confirm each write. */
  replicas: number;
  historyFile: string;
  seed: number;
  /** createdAt of every session this client creates. */
  createdAt: number;
  /** Pause between operations: the load is bounded. */
  thinkMs: number;
  commandTimeoutMs: number;
}

const OPEN_ATTEMPTS = 5;

/** What the client believes an id holds: its version and tag, null when absent, undefined when it must read first. */
type Known = { version: number; tag: string } | null | undefined;

function tagOf(session: Session | undefined | null): Known {
  if (session === undefined || session === null) return null;
  return { version: session.version, tag: String(session.metadata.tag) };
}

/** The call's result, or undefined (belief unknown: read first) when it failed. */
async function attempt<T>(run: () => Promise<T>): Promise<{ value: T } | undefined> {
  try {
    return { value: await run() };
  } catch {
    return undefined;
  }
}

async function step(
  config: PartitionClientConfig,
  backend: SessionBackend,
  known: Map<string, Known>,
  n: number,
  random: () => number,
): Promise<void> {
  const id = config.ids[Math.floor(random() * config.ids.length)]!;
  const belief = known.get(id);
  const roll = random();
  const now = Date.now();
  if (belief === undefined || roll < 0.35) {
    const r = await attempt(() => backend.fetch(id, now));
    known.set(id, r && tagOf(r.value));
  } else if (roll < 0.8) {
    // create (expectedVersion 0) or compare-and-set on the version read
    const version = belief === null ? 1 : belief.version + 1;
    const session: Session = {
      id,
      createdAt: config.createdAt,
      lastAccessedAt: Math.max(now, config.createdAt),
      timeoutMs: null,
      version,
      metadata: { tag: `${config.client}-${n}`, prev: belief === null ? null : belief.tag },
    };
    const r = await attempt(() => backend.store(session, { expectedVersion: version - 1 }));
    known.set(id, r && tagOf(session));
  } else if (roll < 0.96) {
    const lastAccessedAt = Math.max(now, config.createdAt);
    const r = await attempt(() => backend.touch!(id, lastAccessedAt, now));
    known.set(id, r && tagOf(r.value));
  } else {
    const r = await attempt(() => backend.delete(id));
    known.set(id, r === undefined ? undefined : null);
  }
}

/** The backend, after up to OPEN_ATTEMPTS connects: nodes and clients start at once on a loaded machine. */
async function openWithRetries(config: PartitionClientConfig): Promise<SessionBackend> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await redisCluster.open({
        dir: '',
        namespace: config.namespace,
        options: {
          nodes: config.nodes,
          replicas: config.replicas,
          replicaTimeoutMs: Math.round(config.commandTimeoutMs / 2),
          commandTimeoutMs: config.commandTimeoutMs,
          connectTimeoutMs: 4 * config.commandTimeoutMs,
        },
      });
    } catch (err) {
      if (attempt >= OPEN_ATTEMPTS) throw err;
    }
  }
}

async function main(config: PartitionClientConfig): Promise<void> {
  const events: HistoryEvent[] = [];
  const opened = await openWithRetries(config);
  const backend = recordHistory(opened, config.client, events);
  let stopping = false;
  process.stdin.on('data', () => {});
  process.stdin.once('end', () => (stopping = true));
  process.stdin.once('close', () => (stopping = true));
  process.stdout.write('ready\n');
  const random = mulberry32(config.seed);
  const known = new Map<string, Known>();
  for (let n = 1; !stopping; n++) {
    await step(config, backend, known, n, random);
    fs.appendFileSync(
      config.historyFile,
      events
        .splice(0)
        .map((e) => `${JSON.stringify(e)}\n`)
        .join(''),
    );
    await new Promise((resolve) => setTimeout(resolve, config.thinkMs));
  }
  await backend.close();
}

main(JSON.parse(process.argv[2]!) as PartitionClientConfig).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`partition client: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
