// The partition scenario (benchmarks/faults/partition.ts) on this machine: Redis Cluster nodes and
// clients in network namespaces. Where namespaces can't be made (not root, no `ip`) it is skipped
// with the reason, shown here by running the check without root and without `ip` on PATH. The
// counting of what clients saw, and the gate, are shown able to fail on hand-made histories.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { Session } from '../backends/contract.js';
import { listNamespaces, netnsUnavailable } from '../backends/servers/netns.js';
import type { HistoryEvent } from '../benchmarks/faults/history.js';
import { type PartitionRun, runPartitionScenario } from '../benchmarks/faults/partition.js';
import { partitionFigures } from '../benchmarks/faults/partition-figures.js';
import { partitionGate } from '../reports/reliability-gates.js';

const run = promisify(execFile);
const unavailable = await netnsUnavailable();

/** createPrivateNetwork's answer in a child process run with `env` and `uid`. */
function skipReasonIn(options: { env?: NodeJS.ProcessEnv; uid?: number }): unknown {
  const module = new URL('../backends/servers/netns.ts', import.meta.url).href;
  const script = `const m = await import(${JSON.stringify(module)}); process.stdout.write(JSON.stringify(await m.createPrivateNetwork(1)));`;
  const child = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script],
    { ...options, encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

test(
  'without root, or without ip, the scenario is skipped with the reason',
  { skip: process.getuid?.() !== 0 && 'needs root to drop it' },
  () => {
    assert.deepEqual(skipReasonIn({ uid: 65534 }), { skipped: 'network namespaces need root (not running as root)' });
    assert.deepEqual(skipReasonIn({ env: { ...process.env, PATH: '/nonexistent' } }), {
      skipped: 'network namespaces need iproute2 (no `ip` on PATH)',
    });
  },
);

/** Whether redis-cli run inside `ns` gets PONG from `address` within about 2 s. */
async function reaches(ns: string, address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  try {
    const { stdout } = await run('ip', ['netns', 'exec', ns, 'redis-cli', '-h', host!, '-p', port ?? '6379', 'PING'], {
      timeout: 2000,
    });
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

test(
  'a partition on a real cluster: the cut isolates, failover is seen, the checker judges the history, nothing is left behind',
  { skip: unavailable },
  async (t) => {
    const seen: { ns?: string; isolatedFromMajority?: boolean; majorityReached?: boolean }[] = [];
    const result = await runPartitionScenario({
      replicas: 1,
      partitions: 1,
      duringPartition: async (view) => {
        seen.push({
          ns: view.isolatedMaster.ns,
          isolatedFromMajority: !(await reaches(view.majorityClient.ns, `${view.isolatedMaster.address}:6379`)),
          majorityReached: await reaches(view.majorityClient.ns, view.majorityNode),
        });
      },
    });
    assert.ok(!('skipped' in result), 'skipped');
    const r = result as PartitionRun;
    t.diagnostic(JSON.stringify({ ...r, checker: { ...r.checker, anomalies: r.checker.anomalies.length } }));
    assert.deepEqual(
      seen.map(({ isolatedFromMajority, majorityReached }) => ({ isolatedFromMajority, majorityReached })),
      [{ isolatedFromMajority: true, majorityReached: true }],
      'during the partition a majority client reaches a majority node but not the isolated master',
    );
    assert.equal(r.undetected, 0, 'the majority promoted a replica');
    assert.ok(r.checker.ids > 0 && r.checker.ok + r.checker.anomalous + r.checker.unknown === r.checker.ids);
    assert.ok(r.operations > 0 && r.acknowledged > 0);
    assert.equal(r.impossibleReads, 0);
    const prefix = seen[0]!.ns!.replace(/\d+$/, '');
    assert.deepEqual(
      (await listNamespaces()).filter((ns) => ns.startsWith(prefix)),
      [],
      'namespaces left behind',
    );
  },
);

test('a failure mid-scenario still tears everything down', { skip: unavailable }, async () => {
  let ns: string | undefined;
  await assert.rejects(
    runPartitionScenario({
      replicas: 0,
      partitions: 1,
      duringPartition: async (view) => {
        ns = view.isolatedMaster.ns;
        throw new Error('injected failure');
      },
    }),
    /injected failure/,
  );
  assert.ok(ns !== undefined);
  const prefix = ns.replace(/\d+$/, '');
  assert.deepEqual(
    (await listNamespaces()).filter((name) => name.startsWith(prefix)),
    [],
  );
});

// Hand-made histories of one id: what the counts and the gate say about them.
function session(tag: string, prev: string | null, version: number, id = 's'): Session {
  return { id, createdAt: 0, lastAccessedAt: 0, timeoutMs: null, version, metadata: { tag, prev } };
}
let clock = 0;
function store(client: string, s: Session): HistoryEvent {
  clock += 10;
  return {
    client,
    call: { f: 'store', id: 's', session: s, expectedVersion: s.version - 1 },
    invokedAt: clock,
    completedAt: clock + 1,
    outcome: { type: 'ok', value: undefined },
  };
}
function fetch(client: string, value: Session | null): HistoryEvent {
  clock += 10;
  return {
    client,
    call: { f: 'fetch', id: 's', now: 0 },
    invokedAt: clock,
    completedAt: clock + 1,
    outcome: { type: 'ok', value },
  };
}

test('the counts: a clean history has none; a minority write replaced is lost, a lost update, a stale read, an impossible read', () => {
  const a = session('a', null, 1);
  const b = session('b', 'a', 2);
  const c = session('c', 'a', 2);
  const clean = partitionFigures([store('c0', a), fetch('c1', a), store('c1', b), fetch('final', b)]);
  assert.deepEqual([clean.lost, clean.lostUpdates, clean.staleReads, clean.impossibleReads], [0, 0, 0, 0]);
  assert.equal(clean.acknowledged, 2);
  const split = partitionFigures([
    store('c0', a),
    fetch('c1', a),
    store('c0', b),
    fetch('c0', b),
    store('c1', c),
    fetch('c2', c),
    fetch('final', c),
  ]);
  assert.equal(split.lostUpdates, 1, 'b and c were both compare-and-set from a');
  assert.equal(split.lost, 1, 'b was replaced by c without a delete');
  const stale = partitionFigures([store('c0', a), store('c0', b), fetch('c1', a), fetch('final', b)]);
  assert.deepEqual([stale.staleReads, stale.lost], [1, 0], 'c1 read a after b was acknowledged');
  const impossible = partitionFigures([store('c0', a), fetch('c1', session('a', null, 1, 'other')), fetch('final', a)]);
  assert.equal(impossible.impossibleReads, 1, "another id's session");
  const invented = partitionFigures([store('c0', a), fetch('c1', session('zz', null, 1)), fetch('final', a)]);
  assert.equal(invented.impossibleReads, 1, 'a state nobody wrote');
});

test('the gate: measured losses pass, an impossible read or a run without any failover fails, no namespaces skips', () => {
  const a = session('a', null, 1);
  const figures = partitionFigures([store('c0', a), fetch('c1', session('zz', null, 1)), fetch('final', a)]);
  const checker = {
    ids: 1,
    ok: 1,
    anomalous: 0,
    unknown: 0,
    operations: 3,
    kinds: { 'lost-update': 0, 'stale-read': 0, 'acknowledged-write-lost': 0, other: 0 },
    anomalies: [],
    unknownIds: [],
    maxMsPerId: 0,
    totalMs: 0,
  };
  const base = {
    replicas: 0,
    partitions: 10,
    clients: 3,
    sessions: 8,
    nodeTimeoutMs: 1000,
    detectMs: null,
    undetected: 0,
    healMs: null,
    durationMs: 1,
    checker,
  };
  const lossy: PartitionRun = { ...base, ...figures, impossibleReads: 0, lost: 5, lostUpdates: 3, staleReads: 7 };
  assert.equal(partitionGate('redis-cluster', [lossy]).status, 'passed', 'Redis documents these losses');
  const bad = partitionGate('redis-cluster', [{ ...base, ...figures }]);
  assert.equal(bad.status, 'failed');
  assert.match(bad.detail, /impossible read: s fetch by c1/);
  assert.equal(partitionGate('redis-cluster', [{ ...lossy, undetected: 10 }]).status, 'failed');
  assert.equal(partitionGate('redis-cluster', { skipped: 'network namespaces need root' }).status, 'skipped');
  assert.equal(partitionGate('redis-cluster', { error: 'boom' }).status, 'failed');
});
