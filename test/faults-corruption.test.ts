// Corruption of a closed store (seeded damage, reopened in a child process): a trial either fails
// with CORRUPT or reads back only what was stored; the reopening process never dies. Records are
// sealed with a digest and lmdb's data file is checked against its meta page before opening, so a
// fetch never reads a wrong session and lmdb no longer dies of SIGBUS on truncation. list reads
// ids from the expiry index, whose keys carry no digest: lmdb confirms each entry against its meta
// record, sqlite's integrityCheck (integrity_check) compares index and table, so list never names
// an id never stored.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newEncryptionKey } from '../backends/encrypted.js';
import { runCorruption, type CorruptionResult } from '../benchmarks/faults/corruption.js';
import { tempDir } from './helpers/tmp.js';

const TRIALS = 20;
/** Other damage for a rerun: SESSIONBENCH_CORRUPTION_SEED=<n> (the failure message shows the seed). */
const SEED = Number(process.env.SESSIONBENCH_CORRUPTION_SEED ?? 1);
const key = newEncryptionKey();

async function corrupt(backend: string, options: Record<string, unknown>): Promise<CorruptionResult> {
  const dir = tempDir(`corruption-${backend}`);
  try {
    const r = await runCorruption({ backend, trials: TRIALS, dir: dir.path, options, seed: SEED });
    assert.equal(r.corruptErrors + r.readOk + r.readWrong + r.listStrangers + r.crashed + r.otherErrors, TRIALS, 'every trial has one verdict');
    return r;
  } finally {
    dir.remove();
  }
}

const cases = [
  { backend: 'sqlite', options: { integrityCheck: true } },
  { backend: 'sqlite+aes', options: { integrityCheck: true, encryptionKey: key } },
  { backend: 'lmdb', options: {} },
  { backend: 'lmdb+aes', options: { encryptionKey: key } },
] as const;

describe('corruption of a closed store', { concurrency: true }, () => {
  for (const { backend, options } of cases) {
    const run = corrupt(backend, options);
    run.catch(() => {}); // reported by the tests below
    const summary = (r: CorruptionResult): string => `seed ${SEED}: ${JSON.stringify({ ...r, examples: undefined })}\n${r.examples.join('\n')}`;
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
});
