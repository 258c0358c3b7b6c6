// Crash durability (quick: 10 SIGKILLs per store): with durability 'full', sqlite and lmdb lose
// and change nothing they acknowledged, and always reopen; with 'normal' the loss is reported.
// A write-behind plug-in (test/faults-zoo/) shows the scenario and its gate catch lost writes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCrashDurability } from '../benchmarks/faults/crash-durability.js';
import { crashGate } from '../reports/reliability-gates.js';
import { tempDir } from './helpers/tmp.js';

const KILLS = 10;

describe('crash durability (SIGKILL during writes)', { concurrency: true }, () => {
  for (const backend of ['sqlite', 'lmdb']) {
    test(`${backend}, durability full: every acknowledged session survives ${KILLS} kills intact`, async () => {
      const dir = tempDir(`crash-${backend}`);
      try {
        const r = await runCrashDurability({ backend, durability: 'full', kills: KILLS, dir: dir.path });
        assert.equal(r.kills, KILLS);
        assert.ok(r.acknowledged >= KILLS, `only ${r.acknowledged} sessions acknowledged over ${KILLS} kills`);
        assert.deepEqual(
          { missing: r.missing, changed: r.changed, openFailures: r.openFailures },
          { missing: 0, changed: 0, openFailures: 0 },
          r.examples.join('\n'),
        );
      } finally {
        dir.remove();
      }
    });

    test(`${backend}, durability normal: the loss is measured and the store always reopens`, async (t) => {
      const dir = tempDir(`crash-${backend}-normal`);
      try {
        const r = await runCrashDurability({ backend, durability: 'normal', kills: KILLS, dir: dir.path, seed: 2 });
        t.diagnostic(`${backend} normal: ${r.acknowledged} acknowledged, ${r.missing} missing, ${r.changed} changed`);
        assert.ok(r.acknowledged >= KILLS, `only ${r.acknowledged} sessions acknowledged over ${KILLS} kills`);
        assert.equal(r.openFailures, 0, r.examples.join('\n'));
      } finally {
        dir.remove();
      }
    });
  }

  test(`a write-behind plug-in loses acknowledged sessions over ${KILLS} kills, and the crash gate fails`, async (t) => {
    const dir = tempDir('crash-write-behind');
    try {
      const backend = fileURLToPath(new URL('./faults-zoo/write-behind.ts', import.meta.url));
      const r = await runCrashDurability({ backend, durability: 'full', kills: KILLS, dir: dir.path });
      t.diagnostic(`write-behind: ${r.acknowledged} acknowledged, ${r.missing} missing, ${r.changed} changed`);
      assert.ok(r.missing > 0, `nothing lost: ${JSON.stringify(r)}`);
      assert.equal(r.openFailures, 0, r.examples.join('\n'));
      const gate = crashGate(backend, [r]);
      assert.equal(gate.status, 'failed', gate.detail);
      // Which examples come first depends on where each kill landed: a lost write or a lost update.
      assert.match(gate.detail, /[1-9]\d* missing/);
      assert.match(gate.detail, /examples: kill \d+: .* (is missing|reads back as version)/);
    } finally {
      dir.remove();
    }
  });
});
