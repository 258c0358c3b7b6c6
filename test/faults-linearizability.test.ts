// The two-process linearizability scenario (benchmarks/faults/two-process-history.ts) on real child
// processes sharing one store: the reference sqlite and lmdb backends are ok on every id and pass
// the gate (lmdb since fetch and list renew its read snapshot: before, it read other processes' commits
// late and this found stale reads); a backend whose compare-and-set lock is per process is caught, and its gate fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeCheck } from '../benchmarks/faults/linearizability.js';
import { runTwoProcessHistory } from '../benchmarks/faults/two-process-history.js';
import { linearizabilityGate } from '../reports/reliability-gates.js';
import { tempDir } from './helpers/tmp.js';

const OPS = 150;

for (const backend of ['sqlite', 'lmdb']) {
  test(`${backend}: two processes on one store, every id's history is linearizable`, async (t) => {
    const dir = tempDir(`history-${backend}`);
    try {
      const result = await runTwoProcessHistory({ backend, dir: dir.path, opsPerClient: OPS, seed: 3 });
      t.diagnostic(describeCheck(result.check));
      assert.equal(result.check.ids, result.sessions);
      assert.equal(result.check.ok, result.check.ids, JSON.stringify(result.check.anomalies, null, 1));
      assert.ok(result.operations >= result.clients * OPS, `${result.operations} operations recorded`);
      assert.equal(linearizabilityGate(backend, result).status, 'passed');
    } finally {
      dir.remove();
    }
  });
}

test('a compare-and-set locked per process: two processes both win, the checker and the gate catch it', async (t) => {
  const dir = tempDir('history-process-local-lock');
  try {
    const backend = fileURLToPath(new URL('./zoo/process-local-lock.ts', import.meta.url));
    const result = await runTwoProcessHistory({ backend, dir: dir.path, opsPerClient: OPS, seed: 3 });
    t.diagnostic(describeCheck(result.check));
    assert.ok(result.check.anomalous > 0, describeCheck(result.check));
    assert.ok(result.check.kinds['lost-update'] > 0, describeCheck(result.check));
    const gate = linearizabilityGate('process-local-lock', result);
    assert.equal(gate.status, 'failed');
    assert.match(gate.detail, /first: \S+ on "s\d"/);
  } finally {
    dir.remove();
  }
});
