// Redis connection faults under load, on a private redis-server: operations fail with UNAVAILABLE
// within a bound (never hang), the client reconnects by itself and the load goes on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { REDIS_FAULTS, runRedisFault } from '../benchmarks/faults/redis-faults.js';

function redisServerMissing(): string | undefined {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore', timeout: 5000 });
    return undefined;
  } catch {
    return 'redis-server is not installed';
  }
}

const missing = redisServerMissing();
if (missing !== undefined) assert.ok(process.env.SESSIONBENCH_REQUIRE_REDIS !== '1', `SESSIONBENCH_REQUIRE_REDIS=1 but ${missing}`);

for (const fault of REDIS_FAULTS) {
  test(`redis ${fault} during load: bounded UNAVAILABLE errors, then recovery`, { skip: missing }, async (t) => {
    const r = await runRedisFault({ fault, commandTimeoutMs: 500 });
    t.diagnostic(JSON.stringify(r));
    assert.equal(r.hung, false, `an operation hung: ${JSON.stringify(r)}`);
    assert.deepEqual(Object.keys(r.errorCodes).filter((code) => code !== 'UNAVAILABLE'), [], `errors other than UNAVAILABLE: ${JSON.stringify(r.errorCodes)}`);
    assert.notEqual(r.recoveryMs, null, 'no operation succeeded after the fault');
    if (fault === 'server-restart') assert.ok(r.errors > 0, 'a stopped server failed no operation');
    if (fault === 'client-kill') assert.ok((r.clientsKilled ?? 0) > 0, 'CLIENT KILL closed no connection');
  });
}
