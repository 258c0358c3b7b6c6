// The report writers: on a real verify run (memory and sqlite, quick profile) every file is
// written and well-formed, report.json validates against the shipped schema; and on text full
// of what XML and Markdown can't carry, the writers still produce valid output.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { BenchmarkRow } from '../benchmarks/result.js';
import { checkBudgets, loadBudgets, parseBudgets } from '../reports/budgets.js';
import { budgetsGate } from '../reports/gates.js';
import { renderJunit } from '../reports/junit.js';
import type { Report } from '../reports/report.js';
import { renderSummary } from '../reports/summary.js';
import { escapeAttribute, escapeText, legalText } from '../reports/xml.js';
import { reportOf } from './report-fixture.js';
import { ROOT, runCli } from './run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'sessionbench-reports-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const schema = JSON.parse(readFileSync(join(ROOT, 'reports', 'report.schema.json'), 'utf8'));
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
// ajv-formats isn't a dependency; the one format the schema uses is checked here.
ajv.addFormat('date-time', (text: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text) && !Number.isNaN(Date.parse(text)));
const validateReport = ajv.compile(schema);

function junitCases(xml: string): Record<string, unknown>[] {
  const parsed = new XMLParser({ ignoreAttributes: false, htmlEntities: true, isArray: (name) => name === 'testcase' || name === 'testsuite' }).parse(xml);
  return parsed.testsuites.testsuite.flatMap((s: { testcase?: Record<string, unknown>[] }) => s.testcase ?? []);
}

describe('a real verify run of memory and sqlite', () => {
  // A nested dir that doesn't exist yet: verify creates it.
  const dir = join(scratch, 'nested', 'latest');
  const stepSummary = join(scratch, 'step-summary.md');
  let run: Awaited<ReturnType<typeof runCli>>;
  let report: Report;

  before(async () => {
    writeFileSync(stepSummary, '# earlier step\n');
    run = await runCli(['verify', '--backend', 'memory', '--backend', 'sqlite', '--profile', 'quick', '--seed', '2024', '--report-dir', dir], { GITHUB_STEP_SUMMARY: stepSummary });
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  });

  test('exits 0 with every gate held and writes all five files', () => {
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    for (const file of ['report.json', 'summary.md', 'junit.xml', 'report.html', 'bench.json']) assert.ok(existsSync(join(dir, file)), file);
    assert.equal(report.status, 'passed');
    assert.deepEqual(report.backends.map((b) => [b.name, b.kind, b.status]), [['memory', 'reference', 'passed'], ['sqlite', 'reference', 'passed']]);
  });

  test('report.json validates against reports/report.schema.json', () => {
    assert.ok(validateReport(report), JSON.stringify(validateReport.errors, null, 2));
    assert.equal(report.environment.profile, 'quick');
    assert.equal(report.environment.seed, 2024);
    assert.equal(report.environment.node, process.version);
    assert.match(report.environment.dependencies['better-sqlite3']!, /^\d+\.\d+\.\d+/);
    for (const b of report.backends) {
      assert.ok(b.properties.length > 0 && b.benchmarks.length > 0 && b.budgets.length > 0);
      assert.deepEqual(b.gates.map((g) => g.name), ['properties', 'budgets']);
      assert.ok(b.benchmarks.some((r) => r.driver === 'raw'), 'reference backends get raw-driver rows');
      assert.ok(b.benchmarks.every((r) => r.samplesUs !== undefined && r.samplesUs.length > 0), 'samples are kept for a later --baseline');
    }
    // A report validates only if its failures carry what replays them: the schema says so.
    const broken = structuredClone(report);
    broken.backends[0]!.properties[0]!.status = 'failed';
    assert.equal(validateReport(broken), false);
  });

  test('summary.md has the table, and GITHUB_STEP_SUMMARY got it appended', () => {
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    assert.match(summary, /^# sessionbench verify: ✅ passed$/m);
    assert.match(summary, /^\| Backend \| Kind \| Properties passed \| fetch p50\/p99 \| store p50\/p99 \| Budgets \| Status \|$/m);
    assert.match(summary, /^\| memory \| reference \| \d+\/\d+ \(3 n\/a\) \| [\d.]+ \/ [\d.]+ µs \| [\d.]+ \/ [\d.]+ µs \| \d+\/\d+ held \| ✅ passed \|$/m);
    assert.match(summary, /^\| sqlite \| reference \| (\d+)\/\1 \| /m);
    assert.match(summary, /^## Failures\n\nNone\.$/m);
    assert.equal(readFileSync(stepSummary, 'utf8'), `# earlier step\n${summary}\n`);
  });

  test('junit.xml is well-formed, with a testcase per property and per budget limit', () => {
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    assert.equal(XMLValidator.validate(xml), true);
    const cases = junitCases(xml);
    for (const b of report.backends) {
      const props = cases.filter((c) => c['@_classname'] === `sessionbench.${b.name}.properties`);
      assert.equal(props.length, b.properties.length);
      const na = b.properties.filter((p) => p.status === 'not-applicable').map((p) => p.id);
      for (const c of props) assert.equal('skipped' in c, na.includes(c['@_name'] as string), String(c['@_name']));
      assert.equal(cases.filter((c) => c['@_classname'] === `sessionbench.${b.name}.budgets`).length, b.budgets.length);
    }
    assert.ok(!cases.some((c) => 'failure' in c || 'error' in c));
  });

  test('bench.json is in customSmallerIsBetter form, two entries per row', () => {
    const entries = JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8'));
    const rows = report.backends.flatMap((b) => b.benchmarks);
    assert.equal(entries.length, rows.length * 2);
    for (const e of entries) {
      assert.deepEqual(Object.keys(e).sort(), ['extra', 'name', 'unit', 'value']);
      assert.equal(e.unit, 'us');
      assert.ok(typeof e.value === 'number' && e.value >= 0);
    }
    assert.equal(new Set(entries.map((e: { name: string }) => e.name)).size, entries.length, 'names are unique');
    assert.ok(entries.some((e: { name: string }) => e.name === 'sqlite fetch-hit n=10000 200B c=1 closed-loop p50'));
  });
});

/** A report around one failing plug-in, to put awkward text through the writers. */
function reportWith(text: string): Report {
  return reportOf([
    {
      name: `odd|name<${text}>`,
      spec: './odd.mjs',
      kind: 'plugin',
      capabilities: { persistent: false, shared: false },
      status: 'failed',
      properties: [
        { id: 'round-trip', statement: 'st', requires: [], status: 'failed', message: text, counterexample: `[${JSON.stringify(text)}, \`\`\`${text}]`, seed: -3, path: '0:1', replay: 'npx sessionbench props --backend ./odd.mjs --only round-trip --seed -3 --path 0:1', runs: 1, durationMs: 2 },
        { id: 'persistence', statement: 'st', requires: ['persistent'], status: 'not-applicable', message: text, runs: 0, durationMs: 0 },
      ],
      benchmarks: [],
      budgets: [],
      gates: [{ name: 'properties', backend: 'odd', status: 'failed', detail: text }],
    },
  ]);
}

describe('writers on text XML cannot carry', () => {
  const nasty = 'a\u0000b\u0007c\u001b[31m\ud800 lone \udfff pair \ud83d\ude00 ]]> <tag attr="x"> & \' \ufffe\ufffftab\tnl\ncr\r';

  test('escapes make control characters and lone surrogates visible, keep the rest', () => {
    assert.equal(legalText(nasty).length, nasty.length + 7 * 5, 'seven characters became six-character escapes');
    assert.equal(escapeText('\u0000\ud800x\ud83d\ude00'), '\\u0000\\uD800x\ud83d\ude00');
    assert.equal(escapeText('<a&b>'), '&lt;a&amp;b&gt;');
    assert.equal(escapeAttribute('"q"\n\'s\'\t'), '&quot;q&quot;&#10;&apos;s&apos;&#9;');
    assert.equal(escapeText('\udfff\ud800'), '\\uDFFF\\uD800');
  });

  test('junit.xml stays well-formed and keeps the message and counterexample', () => {
    const xml = renderJunit(reportWith(nasty));
    assert.equal(XMLValidator.validate(xml), true);
    const [failed, skipped] = junitCases(xml);
    const failure = failed!.failure as Record<string, string>;
    // Read back, the message is the original with only the unrepresentable characters escaped.
    assert.equal(failure['@_message'], legalText(nasty));
    assert.ok(failure['#text']!.startsWith(`st\nCounterexample: [${legalText(JSON.stringify(nasty))}`));
    assert.ok(failure['#text']!.includes('Counterexample: ['));
    assert.ok(failure['#text']!.includes('Replay: npx sessionbench props --backend ./odd.mjs --only round-trip --seed -3 --path 0:1'));
    assert.ok('skipped' in skipped!);
  });

  test('summary.md keeps the table intact and fences a counterexample holding backticks', () => {
    const md = renderSummary(reportWith(nasty));
    const row = md.split('\n').find((l) => l.startsWith('| odd'))!;
    assert.equal(row.split(/(?<!\\)\|/).length, 9, row);
    assert.ok(!/[\u0000-\u0008\ud800-\udfff]/.test(md.replace(/\ud83d\ude00/g, '')), 'no raw control characters or lone surrogates');
    assert.match(md, /^````text$/m, 'a fence longer than the backticks inside');
    assert.match(md, /npx sessionbench props --backend \.\/odd\.mjs --only round-trip --seed -3 --path 0:1/);
  });
});

describe('budgets', () => {
  const row: BenchmarkRow = {
    backend: 'memory', driver: 'backend', op: 'fetch-hit', datasetSize: 10_000, payloadBytes: 200, concurrency: 1, mode: 'closed-loop',
    p50Us: 2, p95Us: 4, p99Us: 30, p999Us: 50, maxUs: 90, opsPerSec: 1, samples: 100, rme: 1, overheadRatio: 1.2,
  };

  test('the default budgets file parses and covers the reference backends', () => {
    const budgets = loadBudgets();
    for (const name of ['memory', 'sqlite', 'lmdb', 'redis']) assert.ok((budgets.backends[name]?.length ?? 0) > 0, name);
  });

  test('limits hold, fail, or are skipped when nothing matched', () => {
    const budgets = parseBudgets(
      JSON.stringify({ backends: { memory: [{ op: 'fetch-hit', concurrency: 1, p50Us: 5, p99Us: 20, overheadRatio: 1.5 }, { op: 'list', p50Us: 9 }] } }),
      'inline',
    );
    const checks = checkBudgets(budgets, 'memory', [row, { ...row, driver: 'raw' }, { ...row, concurrency: 64, p99Us: 1e6 }]);
    assert.deepEqual(checks.map((c) => [c.conditions.op, c.metric, c.actual, c.status]), [
      ['fetch-hit', 'p50Us', 2, 'passed'],
      ['fetch-hit', 'p99Us', 30, 'failed'],
      ['fetch-hit', 'overheadRatio', 1.2, 'passed'],
      ['list', 'p50Us', null, 'skipped'],
    ]);
    const gate = budgetsGate('memory', checks);
    assert.equal(gate.status, 'failed');
    assert.match(gate.detail, /^1 of 3 limits exceeded, 1 not measured in this run: fetch-hit p99Us 30\.0 µs \(limit 20\.0 µs\) at n=10000 200B c=1 closed-loop$/);
    assert.equal(budgetsGate('other', checkBudgets(budgets, 'other', [row])).status, 'skipped');
  });

  test('a malformed budgets file is refused with where and why', () => {
    assert.throws(() => parseBudgets('{', 'b.json'), /budgets file b.json: is not JSON/);
    assert.throws(() => parseBudgets('{"backends":{"m":[{"op":"x"}]}}', 'b.json'), /backends.m\[0\] sets no limit/);
    assert.throws(() => parseBudgets('{"backends":{"m":[{"op":"x","p50Us":-1}]}}', 'b.json'), /backends.m\[0\].p50Us must be a positive number/);
    assert.throws(() => parseBudgets('{"backends":{"m":[{"op":"x","p50":1}]}}', 'b.json'), /sets no limit/);
    assert.throws(() => parseBudgets('{"backends":{"m":[{"op":"x","p50Us":1,"p51Us":2}]}}', 'b.json'), /unknown field\(s\) p51Us/);
    assert.throws(() => parseBudgets('{"backends":{"m":[{"op":"x","p50Us":1,"mode":"sideways"}]}}', 'b.json'), /mode must be one of/);
  });
});
