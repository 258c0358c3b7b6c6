// PostgreSQL faults, each on a private server the scenario starts, stops and removes (whatever
// fails): the server SIGKILLed mid-write and restarted (durability full loses nothing it
// acknowledged; normal's loss is measured), and every pool connection terminated under load
// (UNAVAILABLE within a bound, recovery, nothing lost). Faulty variants show both gates fail: an
// UNLOGGED table (emptied by crash recovery) under the full-durability gate, and stores that
// swallow the terminated connection's errors or give them the wrong code (test/faults-zoo/).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serverRequired } from '../backends/servers/provide.js';
import { findPostgresBin } from '../backends/servers/postgres-server.js';
import { runPostgresCrash } from '../benchmarks/faults/postgres-crash.js';
import { runPostgresTerminate } from '../benchmarks/faults/postgres-terminate.js';
import { crashGate, postgresTerminateGate } from '../reports/reliability-gates.js';

const KILLS = 3;
const TERMINATIONS = 3;

const missing = findPostgresBin() === undefined ? 'PostgreSQL (initdb, postgres) is not installed' : undefined;
if (missing !== undefined) assert.ok(!serverRequired('postgres'), `SESSIONBENCH_REQUIRE_POSTGRES=1 but ${missing}`);

describe('postgres server crash (SIGKILL of the whole server mid-write, restart)', { skip: missing }, () => {
  test(`durability full: every acknowledged session survives ${KILLS} server kills intact`, async (t) => {
    const r = await runPostgresCrash({ durability: 'full', kills: KILLS });
    t.diagnostic(JSON.stringify(r));
    assert.equal(r.kills, KILLS);
    assert.ok(r.acknowledged >= KILLS, `only ${r.acknowledged} sessions acknowledged over ${KILLS} kills`);
    assert.deepEqual(
      { missing: r.missing, changed: r.changed, openFailures: r.openFailures },
      { missing: 0, changed: 0, openFailures: 0 },
      r.examples.join('\n'),
    );
    assert.ok(r.restartMs !== undefined, 'no restart figure');
    assert.equal(crashGate('postgres', [r], 'postgres-crash').status, 'passed');
  });

  test('durability normal: the loss is measured, the store always reopens, and it is not gated', async (t) => {
    const r = await runPostgresCrash({ durability: 'normal', kills: 2, seed: 2 });
    t.diagnostic(`normal: ${r.acknowledged} acknowledged, ${r.missing} missing, ${r.changed} changed`);
    assert.ok(r.acknowledged >= 2, `only ${r.acknowledged} sessions acknowledged over 2 kills`);
    assert.equal(r.openFailures, 0, r.examples.join('\n'));
    assert.equal(crashGate('postgres', [r], 'postgres-crash').status, 'skipped');
  });

  test('an UNLOGGED table, judged by the full-durability gate, loses acknowledged sessions and fails it', async (t) => {
    // Crash recovery empties an UNLOGGED table: one kill shows it.
    const r = await runPostgresCrash({ durability: 'full', kills: 1, options: { unlogged: true } });
    t.diagnostic(`unlogged: ${r.acknowledged} acknowledged, ${r.missing} missing, ${r.changed} changed`);
    assert.ok(r.missing > 0, `nothing lost: ${JSON.stringify(r)}`);
    const gate = crashGate('postgres', [r], 'postgres-crash');
    assert.equal(gate.name, 'postgres-crash');
    assert.equal(gate.status, 'failed', gate.detail);
    assert.match(gate.detail, /[1-9]\d* missing/);
    assert.match(gate.detail, /examples: kill \d+: .* is missing/);
  });
});

describe('postgres connections terminated under load (pg_terminate_backend)', { skip: missing }, () => {
  test(`${TERMINATIONS} terminations: only UNAVAILABLE, nothing hangs, the pool reconnects, nothing lost`, async (t) => {
    const r = await runPostgresTerminate({ terminations: TERMINATIONS });
    t.diagnostic(JSON.stringify(r));
    assert.equal(r.hung, false, `an operation hung: ${JSON.stringify(r)}`);
    assert.deepEqual(
      Object.keys(r.errorCodes).filter((code) => code !== 'UNAVAILABLE'),
      [],
      `errors other than UNAVAILABLE: ${JSON.stringify(r.errorCodes)}`,
    );
    assert.ok(r.connectionsTerminated >= TERMINATIONS, `too few connections terminated: ${JSON.stringify(r)}`);
    assert.notEqual(r.recoveryMs, null, 'no operation succeeded after a termination');
    assert.deepEqual({ lost: r.lost, readsBehind: r.readsBehind }, { lost: 0, readsBehind: 0 });
    assert.equal(postgresTerminateGate('postgres', [r]).status, 'passed');
  });

  test('a store that swallows the terminated connection’s errors loses acknowledged writes and fails the gate', async (t) => {
    const { default: module } = await import('./faults-zoo/postgres-swallows-errors.js');
    const r = await runPostgresTerminate({ terminations: TERMINATIONS, module });
    t.diagnostic(JSON.stringify(r));
    assert.equal(r.errors, 0, 'the swallowed errors still reached the caller');
    assert.ok(r.lost + r.readsBehind > 0, `nothing lost or read behind: ${JSON.stringify(r)}`);
    const gate = postgresTerminateGate(module.name, [r]);
    assert.equal(gate.status, 'failed', gate.detail);
    assert.match(gate.detail, /lost of \d+ acknowledged, \d+ reads behind/);
  });

  test('a store that takes the terminated connection for bad input (INVALID_SESSION) fails the gate', async (t) => {
    const { default: module } = await import('./faults-zoo/postgres-sqlstate-as-input.js');
    const r = await runPostgresTerminate({ terminations: TERMINATIONS, module });
    t.diagnostic(JSON.stringify(r));
    assert.ok((r.errorCodes.INVALID_SESSION ?? 0) > 0, JSON.stringify(r));
    const gate = postgresTerminateGate(module.name, [r]);
    assert.equal(gate.status, 'failed', gate.detail);
    assert.match(gate.detail, /not UNAVAILABLE: INVALID_SESSION/);
  });
});
