// The regression gate on real measurements of the memory backend: a baseline, a second run of
// the same code, and the same backend slowed on purpose by 30% (test/plugin-fixtures). Whole
// runs one after another differ by more than 30% on a busy shared machine, so the three are
// measured interleaved, one operation each in turn, and see the same load; their rows then go
// through `sessionbench compare`. verify --baseline is checked against a baseline made a hundred
// times faster than this machine, a difference no load can hide.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BackendModule, SessionBackend } from '../backends/contract.js';
import memory from '../backends/memory.js';
import { type BenchmarkRow, runBenchmarks } from '../benchmarks/index.js';
import { BENCH_NOW, Dataset } from '../benchmarks/dataset.js';
import { summarize, thin } from '../benchmarks/stats.js';
import type { Report } from '../reports/report.js';
import slowedMemory from './plugin-fixtures/slowed-memory.js';
import { reportOf } from './report-fixture.js';
import { runCli } from './run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'sessionbench-compare-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const SESSIONS = 2000;
const PAYLOAD = 200;
const WARMUP = 500;
const MEASURED = 3000;

type Label = 'baseline' | 'again' | 'slowed';
const LABELS: Label[] = ['baseline', 'again', 'slowed'];
const MODULES: Record<Label, BackendModule> = { baseline: memory, again: memory, slowed: slowedMemory };

/** The operations measured, as calls on a backend prefilled with the dataset's first SESSIONS sessions. */
const OPS: Record<string, (backend: SessionBackend, data: Dataset, i: number) => Promise<unknown>> = {
  'fetch-hit': (b, data, i) => b.fetch(data.id(i % SESSIONS), BENCH_NOW),
  'fetch-miss': (b, data, i) => b.fetch(data.missingId(i % SESSIONS), BENCH_NOW),
  create: (b, data, i) => b.store(data.session(SESSIONS + i), { expectedVersion: 0 }),
  delete: (b, data, i) => b.delete(data.id(SESSIONS + i)),
};

function row(op: string, samplesUs: number[]): BenchmarkRow {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const meanUs = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return {
    backend: 'memory',
    driver: 'backend',
    op,
    datasetSize: SESSIONS,
    payloadBytes: PAYLOAD,
    concurrency: 1,
    mode: 'closed-loop',
    ...summarize(sorted),
    opsPerSec: 1e6 / meanUs,
    samples: sorted.length,
    rme: 0,
    overheadRatio: null,
    samplesUs: thin(sorted),
  };
}

/** Each op on the three backends in turn (the order rotating), MEASURED timed calls each after a warmup. */
async function measureInterleaved(): Promise<Record<Label, BenchmarkRow[]>> {
  const data = new Dataset(SESSIONS, PAYLOAD, 1);
  const backends = {} as Record<Label, SessionBackend>;
  for (const label of LABELS) {
    backends[label] = await MODULES[label].open({ dir: scratch, namespace: label });
    for (let i = 0; i < SESSIONS; i++) await backends[label].store(data.session(i));
  }
  const rows: Record<Label, BenchmarkRow[]> = { baseline: [], again: [], slowed: [] };
  for (const [op, call] of Object.entries(OPS)) {
    const samples: Record<Label, number[]> = { baseline: [], again: [], slowed: [] };
    for (let i = 0; i < WARMUP + MEASURED; i++) {
      for (let k = 0; k < LABELS.length; k++) {
        const label = LABELS[(i + k) % LABELS.length]!;
        const start = process.hrtime.bigint();
        await call(backends[label], data, i);
        const us = Number(process.hrtime.bigint() - start) / 1000;
        if (i >= WARMUP) samples[label].push(us);
      }
    }
    for (const label of LABELS) rows[label].push(row(op, samples[label]));
  }
  for (const label of LABELS) await backends[label].close();
  return rows;
}

function writeReport(name: string, rows: BenchmarkRow[]): string {
  const report = reportOf([
    {
      name: 'memory',
      spec: 'memory',
      kind: 'reference',
      capabilities: memory.capabilities,
      status: 'passed',
      properties: [],
      benchmarks: rows,
      budgets: [],
      gates: [],
    },
  ]);
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify(report));
  return file;
}

/** The verdict column of compare's table, per op. */
function verdicts(stdout: string): Map<string, string> {
  const rows = stdout.split('\n').filter((l) => l.startsWith('| memory |'));
  return new Map(rows.map((l) => l.split(' | ')).map((cells) => [cells[2]!, cells[9]!]));
}

describe('compare on interleaved real measurements', () => {
  const files = {} as Record<Label, string>;

  before(async () => {
    const rows = await measureInterleaved();
    for (const label of LABELS) files[label] = writeReport(label, rows[label]);
  });

  test('a second run of the same code: no significant change on most rows', async () => {
    const r = await runCli(['compare', files.baseline, files.again]);
    const v = verdicts(r.stdout);
    assert.equal(v.size, Object.keys(OPS).length, r.stdout);
    const unchanged = [...v.values()].filter((x) => x === 'no significant change').length;
    assert.ok(unchanged * 2 > v.size, `most rows unchanged:\n${r.stdout}`);
    assert.equal(r.code, [...v.values()].includes('slower') ? 1 : 0, r.stdout);
    assert.match(r.stdout, /Holm-adjusted across 4 rows/);
  });

  test('the backend slowed by 30%: slower, and the gate fails', async () => {
    const r = await runCli(['compare', files.baseline, files.slowed]);
    assert.equal(r.code, 1, r.stdout);
    const v = verdicts(r.stdout);
    const slower = [...v.values()].filter((x) => x === 'slower').length;
    assert.ok(slower * 2 > v.size, `most rows slower:\n${r.stdout}`);
    assert.match(r.stdout, /^failed {2}memory: \d of 4 rows significantly slower by more than 10%/m);
    // A minimum effect no 30% slowdown reaches lets the same comparison pass.
    const lenient = await runCli(['compare', files.baseline, files.slowed, '--min-effect', '0.99']);
    assert.equal(lenient.code, 0, lenient.stdout);
  });
});

test('verify --baseline fails the regression gate and reports every row', async () => {
  const measured = await runBenchmarks([{ name: 'memory', module: memory, raw: false }], {
    profile: 'quick',
    ops: ['fetch-hit', 'create'],
    timeMs: 60,
    dir: scratch,
    onProgress: () => {},
  });
  // The same rows a hundred times faster: two runs on a loaded machine differ by several times, not 100.
  const faster = measured.map((r) => ({ ...r, p50Us: r.p50Us / 100, samplesUs: r.samplesUs!.map((us) => us / 100) }));
  const dir = join(scratch, 'verify');
  const r = await runCli([
    'verify',
    '--skip-props',
    '--backend',
    'memory',
    '--profile',
    'quick',
    '--baseline',
    writeReport('faster', faster),
    '--report-dir',
    dir,
  ]);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  const report: Report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  assert.deepEqual(
    report.backends[0]!.gates.map((g) => g.name),
    ['properties', 'budgets', 'regression'],
  );
  assert.equal(report.backends[0]!.gates[2]!.status, 'failed');
  const compared = report.regression!.rows.filter((row) => row.verdict !== 'not compared');
  assert.deepEqual(
    compared.map((row) => [row.op, row.verdict, row.status]).sort(),
    [
      ['create', 'slower', 'failed'],
      ['fetch-hit', 'slower', 'failed'],
      ['prefill', 'slower', 'failed'],
    ],
    JSON.stringify(report.regression!.rows, null, 1),
  );
  for (const row of compared)
    assert.ok(row.changeLow! <= row.change! && row.change! <= row.changeHigh!, JSON.stringify(row));
  // Rows of this run the baseline lacks are listed, not silently dropped.
  assert.ok(report.regression!.rows.some((row) => row.op === 'delete' && row.note === 'not in the baseline'));
  const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
  assert.match(summary, /^## Regression against the baseline$/m);
  assert.match(summary, /^### ❌ memory: regression$/m);
  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  assert.match(
    junit,
    /classname="sessionbench\.memory\.regression" name="fetch-hit n=10000 200B c=1 closed-loop slower \+[\d.]+%/,
  );
});
