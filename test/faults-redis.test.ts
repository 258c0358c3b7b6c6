// Redis connection faults under load, on a private redis-server: operations fail with UNAVAILABLE
// within a bound (never hang), the client reconnects by itself and the load goes on. Two faulty
// Redis backends (test/faults-zoo/) show the scenario and its gate catch a hang and a wrong code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { REDIS_FAULTS, runRedisFault } from '../benchmarks/faults/redis-faults.js';
import { redisFaultsGate } from '../reports/reliability-gates.js';
import redisCodelessErrors from './faults-zoo/redis-codeless-errors.js';
import redisWaitsForever from './faults-zoo/redis-waits-forever.js';

function redisServerMissing(): string | undefined {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore', timeout: 5000 });
    return undefined;
  } catch {
    return 'redis-server is not installed';
  }
}

const missing = redisServerMissing();
if (missing !== undefined)
  assert.ok(process.env.SESSIONBENCH_REQUIRE_REDIS !== '1', `SESSIONBENCH_REQUIRE_REDIS=1 but ${missing}`);

for (const fault of REDIS_FAULTS) {
  test(`redis ${fault} during load: bounded UNAVAILABLE errors, then recovery`, { skip: missing }, async (t) => {
    const r = await runRedisFault({ fault, commandTimeoutMs: 500 });
    t.diagnostic(JSON.stringify(r));
    assert.equal(r.hung, false, `an operation hung: ${JSON.stringify(r)}`);
    assert.deepEqual(
      Object.keys(r.errorCodes).filter((code) => code !== 'UNAVAILABLE'),
      [],
      `errors other than UNAVAILABLE: ${JSON.stringify(r.errorCodes)}`,
    );
    assert.notEqual(r.recoveryMs, null, 'no operation succeeded after the fault');
    if (fault === 'server-restart') assert.ok(r.errors > 0, 'a stopped server failed no operation');
    if (fault === 'client-kill') assert.ok((r.clientsKilled ?? 0) > 0, 'CLIENT KILL closed no connection');
  });
}

// While the server is down (for the whole hang bound, since no call fails), calls wait for it.
test(
  'redis server-restart catches a backend whose calls wait for Redis without bound',
  { skip: missing },
  async (t) => {
    const r = await runRedisFault({
      fault: 'server-restart',
      module: redisWaitsForever,
      commandTimeoutMs: 500,
      hangAfterMs: 1000,
    });
    t.diagnostic(JSON.stringify(r));
    assert.equal(r.hung, true, JSON.stringify(r));
    const gate = redisFaultsGate(redisWaitsForever.name, [r]);
    assert.equal(gate.status, 'failed', gate.detail);
    assert.match(gate.detail, /HUNG/);
  },
);

test('redis server-restart catches a backend whose errors lose their code', { skip: missing }, async (t) => {
  const r = await runRedisFault({ fault: 'server-restart', module: redisCodelessErrors, commandTimeoutMs: 500 });
  t.diagnostic(JSON.stringify(r));
  assert.ok((r.errorCodes['no code'] ?? 0) > 0, JSON.stringify(r));
  const gate = redisFaultsGate(redisCodelessErrors.name, [r]);
  assert.equal(gate.status, 'failed', gate.detail);
  assert.match(gate.detail, /not UNAVAILABLE: no code/);
});
