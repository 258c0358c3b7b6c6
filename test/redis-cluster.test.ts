// The redis-cluster backend on a local 3 + 3 Redis Cluster it starts itself: the whole invariant
// suite (concurrent compare-and-set from two clients among it), the replicas option, option
// checks, hostile input, and the teardown leaving no redis-server behind.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Session } from '../backends/contract.js';
import redisCluster from '../backends/redis-cluster.js';
import { runHostileInput } from '../benchmarks/faults/hostile-input.js';
import { suiteTests } from '../properties/node-test.js';
import { startRedisCluster } from '../backends/servers/redis-cluster.js';
import { tempDir } from './helpers/tmp.js';

const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
after(() => cluster.stop()); // also when a test fails early; stop() is idempotent

const session: Session = {
  id: 'replicated',
  createdAt: 1,
  lastAccessedAt: 1,
  timeoutMs: null,
  version: 1,
  metadata: { a: 1 },
};

suiteTests(redisCluster, { profile: 'quick', openOptions: { nodes: cluster.seeds } });

describe('redis-cluster options', () => {
  // Each client is closed in t.after, whatever fails: one left open keeps reconnecting to the
  // stopped cluster and holds the file's process open (a clean-clone CI run hung so, under load).
  test('replicas: 1 acknowledges a write its replica confirmed; replicas: 2 (one replica per master) refuses UNAVAILABLE', async (t) => {
    const one = await redisCluster.open({
      dir: '',
      namespace: `replicas-${process.pid}`,
      options: { nodes: cluster.seeds, replicas: 1 },
    });
    t.after(() => one.close());
    const two = await redisCluster.open({
      dir: '',
      namespace: `replicas-${process.pid}`,
      options: { nodes: cluster.seeds, replicas: 2, replicaTimeoutMs: 200 },
    });
    t.after(() => two.close());
    await one.store(session, { expectedVersion: 0 });
    assert.deepEqual(await one.fetch(session.id, 2), session);
    await assert.rejects(two.store({ ...session, version: 2 }, { expectedVersion: 1 }), {
      code: 'UNAVAILABLE',
      message: /1 of 2 replicas confirmed/,
    });
    // A conflict is only reported once the replicas confirm too: with too few, it is UNAVAILABLE.
    await assert.rejects(two.store(session, { expectedVersion: 0 }), { code: 'UNAVAILABLE' });
    await assert.rejects(one.store(session, { expectedVersion: 0 }), { code: 'CONFLICT' });
    assert.equal(await one.delete(session.id), true);
  });

  test('seed nodes come from options.nodes or REDIS_CLUSTER_NODES; malformed ones are refused before connecting', async (t) => {
    const saved = process.env.REDIS_CLUSTER_NODES;
    try {
      delete process.env.REDIS_CLUSTER_NODES;
      await assert.rejects(redisCluster.open({ dir: '', namespace: 'n' }), {
        code: 'UNAVAILABLE',
        message: /REDIS_CLUSTER_NODES/,
      });
      await assert.rejects(redisCluster.open({ dir: '', namespace: 'n', options: { nodes: ['localhost'] } }), {
        code: 'INVALID_SESSION',
      });
      await assert.rejects(
        redisCluster.open({ dir: '', namespace: 'n', options: { nodes: cluster.seeds, replicas: -1 } }),
        { code: 'INVALID_SESSION' },
      );
      process.env.REDIS_CLUSTER_NODES = cluster.seeds.join(',');
      const backend = await redisCluster.open({ dir: '', namespace: `env-${process.pid}` });
      t.after(() => backend.close());
      assert.deepEqual(await backend.list(0), []);
    } finally {
      if (saved === undefined) delete process.env.REDIS_CLUSTER_NODES;
      else process.env.REDIS_CLUSTER_NODES = saved;
    }
  });

  test('an unreachable cluster fails open() with UNAVAILABLE within the connect timeout', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused.
    await assert.rejects(
      redisCluster.open({ dir: '', namespace: 'n', options: { nodes: ['127.0.0.1:1'], connectTimeoutMs: 500 } }),
      {
        code: 'UNAVAILABLE',
      },
    );
  });
});

test('hostile input on redis-cluster: 300 cases, right codes, store unchanged, no cross-session reach', async () => {
  const dir = tempDir('hostile-redis-cluster');
  try {
    const r = await runHostileInput({
      module: redisCluster,
      cases: 300,
      dir: dir.path,
      openOptions: { nodes: cluster.seeds },
    });
    assert.equal(r.failures, 0, r.failure);
  } finally {
    dir.remove();
  }
});

test('stopping the cluster ends all 6 redis-server processes', async () => {
  assert.equal(cluster.nodes.length, 6);
  await cluster.stop();
  for (const { pid } of cluster.nodes) {
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `redis-server ${pid} still runs`);
  }
});
