// Redis Cluster failover under a steady write and touch load from two managers (replicas: 1):
// the master owning the namespace's slot is SIGKILLed, its replica is promoted, the managers
// retry what fails UNAVAILABLE, and no acknowledged session is lost; their backend calls are checked for linearizability. The scenario starts and
// stops its own 7 redis-server processes (3 masters, 3 replicas, 1 spare).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFailoverScenario } from '../benchmarks/faults/failover.js';

test('SIGKILL of the slot owner: the replica takes over, writes fail UNAVAILABLE and are retried, 0 acknowledged sessions lost', async (t) => {
  const result = await runFailoverScenario({ sessions: 20, acksBefore: 200, acksAfter: 200, timeLimitMs: 45_000 });
  t.diagnostic(JSON.stringify(result));
  assert.equal(result.lost, 0, 'acknowledged sessions lost');
  assert.notEqual(result.promotedPort, null, 'the cluster promoted a replica');
  assert.notEqual(result.promotedPort, result.killedPort);
  assert.ok(result.unavailableErrors > 0, 'the kill made some calls fail UNAVAILABLE');
  assert.ok(result.unavailableRetried > 0, 'the managers retried them');
  assert.notEqual(result.unavailableWindowMs, null);
  assert.ok(result.acknowledged >= 400 + result.sessions, `acknowledged ${result.acknowledged}`);
  assert.equal(result.attempted, result.acknowledged + result.failed);
  // Every session's history was checked, each id given one verdict (anomalies are reported, not asserted: see failoverGate).
  const check = result.linearizability;
  assert.ok(check.ids >= result.sessions, `${check.ids} ids checked`);
  assert.equal(check.ok + check.anomalous + check.unknown, check.ids);
  assert.ok(check.operations > result.attempted, 'every backend call recorded, reads included');
});
