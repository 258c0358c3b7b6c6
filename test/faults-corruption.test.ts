// Corruption of a closed store (seeded damage, reopened in a child process): a trial either fails
// with CORRUPT or reads back only what was stored; the reopening process never dies. Records are
// sealed with a digest and lmdb's data file is checked against its meta page before opening, so a
// fetch never reads a wrong session and lmdb no longer dies of SIGBUS on truncation (nor, with its
// integrityCheck, on a damaged page). list reads ids from the expiry index, whose keys carry no
// digest: lmdb confirms each entry against its meta record, sqlite's integrityCheck
// (integrity_check) compares index and table, so list never names an id never stored. With
// checksums off, the same damage reads back wrong, and the gate fails.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newEncryptionKey } from '../backends/encrypted.js';
import { runCorruption, type CorruptionResult } from '../benchmarks/faults/corruption.js';
import { corruptionGate } from '../reports/reliability-gates.js';
import { tempDir } from './helpers/tmp.js';

const TRIALS = 20;
/** Other damage for a rerun: SESSIONBENCH_CORRUPTION_SEED=<n> (the failure message shows the seed). */
const SEED = Number(process.env.SESSIONBENCH_CORRUPTION_SEED ?? 1);
const key = newEncryptionKey();

async function corrupt(backend: string, options: Record<string, unknown>, seed = SEED): Promise<CorruptionResult> {
  const dir = tempDir(`corruption-${backend}`);
  try {
    const r = await runCorruption({ backend, trials: TRIALS, dir: dir.path, options, seed });
    assert.equal(
      r.corruptErrors + r.readOk + r.readWrong + r.listStrangers + r.crashed + r.otherErrors,
      TRIALS,
      'every trial has one verdict',
    );
    return r;
  } finally {
    dir.remove();
  }
}

function summary(r: CorruptionResult, seed = SEED): string {
  return `seed ${seed}: ${JSON.stringify({ ...r, examples: undefined })}\n${r.examples.join('\n')}`;
}

const cases = [
  { backend: 'sqlite', options: { integrityCheck: true } },
  { backend: 'sqlite+aes', options: { integrityCheck: true, encryptionKey: key } },
  { backend: 'lmdb', options: { integrityCheck: true } },
  { backend: 'lmdb+aes', options: { integrityCheck: true, encryptionKey: key } },
] as const;

describe('corruption of a closed store', { concurrency: true }, () => {
  for (const { backend, options } of cases) {
    const run = corrupt(backend, options);
    run.catch(() => {}); // reported by the tests below
    test(`${backend}: some damage is detected as CORRUPT`, async () => {
      const r = await run;
      assert.ok(r.corruptErrors > 0, summary(r));
    });
    for (const field of ['readWrong', 'listStrangers', 'crashed', 'otherErrors'] as const) {
      test(`${backend}: ${field} is 0 over ${TRIALS} trials`, async () => {
        const r = await run;
        assert.equal(r[field], 0, summary(r));
      });
    }
  }

  // The read-wrong check must be able to fail: unsealed records, at seeds whose damage lands
  // inside a stored JSON text within TRIALS trials (sqlite seed 2: 2 of 20, lmdb seed 4: 3 of 20).
  for (const { backend, options, seed } of [
    { backend: 'sqlite', options: { integrityCheck: true, checksum: false }, seed: 2 },
    { backend: 'lmdb', options: { checksum: false }, seed: 4 },
  ]) {
    test(`${backend} with checksum off: damage reads back wrong and the corruption gate fails`, async () => {
      const r = await corrupt(backend, options, seed);
      assert.ok(r.readWrong > 0, summary(r, seed));
      const gate = corruptionGate(backend, [r]);
      assert.equal(gate.status, 'failed', gate.detail);
      assert.match(gate.detail, /read wrong: fetch/);
    });
  }
});
