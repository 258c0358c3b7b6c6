// The regression gate on real measurements: the memory backend measured in interleaved rounds
// (baseline, a second run of the same code, and the same backend slowed on purpose by 30%),
// so all three see the same machine load; then `sessionbench compare` and `verify --baseline`.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import memory from '../backends/memory.js';
import type { BackendModule } from '../backends/contract.js';
import { type BenchmarkRow, runBenchmarks } from '../benchmarks/index.js';
import { summarize } from '../benchmarks/stats.js';
import type { Report } from '../reports/report.js';
import slowedMemory from './plugin-fixtures/slowed-memory.js';
import { reportOf } from './report-fixture.js';
import { runCli } from './run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'sessionbench-compare-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const ROUNDS = 3;
const OPS = ['create', 'fetch-hit', 'fetch-miss', 'touch', 'delete'];

type Label = 'baseline' | 'again' | 'slowed';
const MODULES: Record<Label, BackendModule> = { baseline: memory, again: memory, slowed: slowedMemory };

function rowKey(r: BenchmarkRow): string {
  return JSON.stringify([r.op, r.datasetSize, r.payloadBytes, r.concurrency, r.mode]);
}

/** One row per key from several rounds: the retained samples pooled, the percentiles recomputed. */
function pool(rounds: BenchmarkRow[][]): BenchmarkRow[] {
  const byKey = new Map<string, BenchmarkRow[]>();
  for (const row of rounds.flat()) byKey.set(rowKey(row), [...(byKey.get(rowKey(row)) ?? []), row]);
  return [...byKey.values()].map((rows) => {
    const samplesUs = rows.flatMap((r) => r.samplesUs ?? []).sort((a, b) => a - b);
    return { ...rows[0]!, ...summarize(samplesUs), samples: samplesUs.length, samplesUs };
  });
}

function writeReport(label: Label, rows: BenchmarkRow[]): string {
  const report = reportOf([
    { name: 'memory', spec: 'memory', kind: 'reference', capabilities: memory.capabilities, status: 'passed', properties: [], benchmarks: rows, budgets: [], gates: [] },
  ]);
  const file = join(scratch, `${label}.json`);
  writeFileSync(file, JSON.stringify(report));
  return file;
}

/** The verdict column of compare's table, per op. */
function verdicts(stdout: string): Map<string, string> {
  const rows = stdout.split('\n').filter((l) => l.startsWith('| memory |'));
  return new Map(rows.map((l) => l.split(' | ')).map((cells) => [cells[2]!, cells[9]!]));
}

describe('compare on interleaved real runs', () => {
  const files = {} as Record<Label, string>;

  before(async () => {
    const rounds: Record<Label, BenchmarkRow[][]> = { baseline: [], again: [], slowed: [] };
    const labels: Label[] = ['baseline', 'again', 'slowed'];
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order so no run always goes first (warm caches) or last.
      for (const label of [...labels.slice(round), ...labels.slice(0, round)]) {
        rounds[label].push(
          await runBenchmarks([{ name: 'memory', module: MODULES[label], raw: false }], { profile: 'quick', ops: OPS, timeMs: 60, dir: scratch, onProgress: () => {} }),
        );
      }
    }
    for (const label of labels) files[label] = writeReport(label, pool(rounds[label]));
  });

  test('a second run of the same code: no significant change on most rows', async () => {
    const r = await runCli(['compare', files.baseline, files.again]);
    const v = verdicts(r.stdout);
    assert.equal(v.size, OPS.length + 1, r.stdout); // the ops and the prefill row
    const unchanged = [...v.values()].filter((x) => x === 'no significant change').length;
    assert.ok(unchanged * 3 >= v.size * 2, `most rows unchanged:\n${r.stdout}`);
    assert.equal(r.code, [...v.values()].includes('slower') ? 1 : 0, r.stdout);
    assert.match(r.stdout, /Holm-adjusted across 6 rows/);
  });

  test('the backend slowed by 30%: slower, and the gate fails', async () => {
    const r = await runCli(['compare', files.baseline, files.slowed]);
    assert.equal(r.code, 1, r.stdout);
    const v = verdicts(r.stdout);
    const slower = [...v.entries()].filter(([, x]) => x === 'slower').map(([op]) => op);
    assert.ok(slower.length * 2 > v.size, `most rows slower:\n${r.stdout}`);
    assert.match(r.stdout, /^failed {2}memory: \d+ of 6 rows significantly slower by more than 10%/m);
    // The same comparison with a minimum effect no real slowdown reaches passes.
    const lenient = await runCli(['compare', files.baseline, files.slowed, '--min-effect', '0.99']);
    assert.equal(lenient.code, 0, lenient.stdout);
  });

  test('verify --baseline fails the regression gate of a slowed backend and reports every row', async () => {
    const dir = join(scratch, 'verify');
    const r = await runCli(['verify', '--skip-props', '--backend', 'test/plugin-fixtures/slowed-memory.ts', '--profile', 'quick', '--baseline', files.baseline, '--report-dir', dir]);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const report: Report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.deepEqual(report.backends[0]!.gates.map((g) => [g.name, g.status]), [
      ['properties', 'skipped'],
      ['budgets', 'passed'],
      ['regression', 'failed'],
    ]);
    const compared = report.regression!.rows.filter((row) => row.verdict !== 'not compared');
    assert.equal(compared.length, OPS.length + 1);
    assert.ok(compared.some((row) => row.verdict === 'slower' && row.status === 'failed'));
    for (const row of compared) assert.ok(row.changeLow! <= row.change! && row.change! <= row.changeHigh!, JSON.stringify(row));
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    assert.match(summary, /^## Regression against the baseline$/m);
    assert.match(summary, /^### ❌ memory: regression$/m);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    assert.match(junit, /classname="sessionbench\.memory\.regression" name="fetch-hit n=10000 200B c=1 closed-loop [^"]*"/);
  });
});
