// The report writers: on a real verify run (memory and sqlite, quick profile) every file is
// written and well-formed, report.json validates against the shipped schema; and on text full
// of what XML and Markdown can't carry, the writers still produce valid output; a report with
// the reliability scenarios (a real quick run on memory and sqlite) validates, and its gates fail
// on the inputs they exist to catch.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import type { FailoverResult } from '../benchmarks/faults/failover.js';
import type { PartitionRun } from '../benchmarks/faults/partition.js';
import { runReliability } from '../benchmarks/faults/index.js';
import { emptyKinds } from '../benchmarks/faults/linearizability.js';
import type { BenchmarkRow } from '../benchmarks/result.js';
import { checkBudgets, loadBudgets, parseBudgets } from '../reports/budgets.js';
import { budgetsGate, overallStatus, propertiesGate } from '../reports/gates.js';
import type { PropertyResult, Severity } from '../properties/index.js';
import { renderJunit } from '../reports/junit.js';
import {
  corruptionGate,
  crashGate,
  failoverGate,
  hostileGate,
  linearizabilityGate,
  postgresTerminateGate,
  redisFaultsGate,
  reliabilityGates,
} from '../reports/reliability-gates.js';
import type { BackendReport, ReliabilityReport, Report } from '../reports/report.js';
import { renderSummary } from '../reports/summary.js';
import { escapeAttribute, escapeText, legalText } from '../reports/xml.js';
import { junitCases, validateReport } from './helpers/report-files.js';
import { reportOf } from './report-fixture.js';
import { ROOT, runCli } from './run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'sessionbench-reports-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('a real verify run of memory and sqlite', () => {
  // A nested dir that doesn't exist yet: verify creates it.
  const dir = join(scratch, 'nested', 'latest');
  const stepSummary = join(scratch, 'step-summary.md');
  let run: Awaited<ReturnType<typeof runCli>>;
  let report: Report;

  // Latency is the benchmark's to judge, not a test's (a shared machine once missed a ratio by 2%):
  // the run keeps every default budget entry, so its rows, gate and junit cases are all there, with
  // limits no machine misses. The budgets gate failing on a real miss is tested below on fixed rows.
  const budgetsFile = join(scratch, 'budgets.json');
  const LIMITS = ['p50Us', 'p99Us', 'overheadRatio'];

  before(async () => {
    writeFileSync(stepSummary, '# earlier step\n');
    const budgets = JSON.parse(readFileSync(join(ROOT, 'reports', 'budgets.default.json'), 'utf8'));
    for (const entries of Object.values(budgets.backends) as Record<string, unknown>[][]) {
      for (const entry of entries) for (const limit of LIMITS) if (limit in entry) entry[limit] = 1e9;
    }
    writeFileSync(budgetsFile, JSON.stringify(budgets));
    run = await runCli(
      [
        'verify',
        '--backend',
        'memory',
        '--backend',
        'sqlite',
        '--profile',
        'quick',
        '--seed',
        '2024',
        '--report-dir',
        dir,
        '--budgets',
        budgetsFile,
      ],
      { GITHUB_STEP_SUMMARY: stepSummary },
    );
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  });

  test('exits 0 with every gate held and writes all five files', () => {
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    for (const file of ['report.json', 'summary.md', 'junit.xml', 'report.html', 'bench.json'])
      assert.ok(existsSync(join(dir, file)), file);
    assert.equal(report.status, 'passed');
    assert.deepEqual(
      report.backends.map((b) => [b.name, b.kind, b.status]),
      [
        ['memory', 'reference', 'passed'],
        ['sqlite', 'reference', 'passed'],
      ],
    );
  });

  test('report.json validates against reports/report.schema.json', () => {
    assert.ok(validateReport(report), JSON.stringify(validateReport.errors, null, 2));
    assert.equal(report.environment.profile, 'quick');
    assert.equal(report.environment.seed, 2024);
    assert.equal(report.environment.node, process.version);
    assert.match(report.environment.dependencies['better-sqlite3']!, /^\d+\.\d+\.\d+/);
    for (const b of report.backends) {
      assert.ok(b.properties.length > 0 && b.benchmarks.length > 0 && b.budgets.length > 0);
      assert.deepEqual(
        b.gates.map((g) => g.name),
        ['properties', 'budgets'],
      );
      assert.ok(
        b.benchmarks.some((r) => r.driver === 'raw'),
        'reference backends get raw-driver rows',
      );
      assert.ok(
        b.benchmarks.every((r) => r.samplesUs !== undefined && r.samplesUs.length > 0),
        'samples are kept for a later --baseline',
      );
    }
    // A report validates only if its failures carry what replays them: the schema says so.
    const broken = structuredClone(report);
    broken.backends[0]!.properties[0]!.status = 'failed';
    assert.equal(validateReport(broken), false);
  });

  test('summary.md has the table, and GITHUB_STEP_SUMMARY got it appended', () => {
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    assert.match(summary, /^# sessionbench verify: ✅ passed$/m);
    assert.match(
      summary,
      /^\| Backend \| Kind \| Properties passed \| fetch p50\/p99 \| store p50\/p99 \| Budgets \| Status \|$/m,
    );
    assert.match(
      summary,
      /^\| memory \| reference \| \d+\/\d+ \(3 n\/a\) \| [\d.]+ \/ [\d.]+ µs \| [\d.]+ \/ [\d.]+ µs \| \d+\/\d+ held \| ✅ passed \|$/m,
    );
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
        {
          id: 'round-trip',
          statement: 'st',
          requires: [],
          severity: 'critical',
          status: 'failed',
          message: text,
          counterexample: `[${JSON.stringify(text)}, \`\`\`${text}]`,
          seed: -3,
          path: '0:1',
          replay: 'npx sessionbench props --backend ./odd.mjs --only round-trip --seed -3 --path 0:1',
          runs: 1,
          durationMs: 2,
        },
        {
          id: 'persistence',
          statement: 'st',
          requires: ['persistent'],
          severity: 'critical',
          status: 'not-applicable',
          message: text,
          runs: 0,
          durationMs: 0,
        },
      ],
      benchmarks: [],
      budgets: [],
      gates: [{ name: 'properties', backend: 'odd', status: 'failed', detail: text }],
    },
  ]);
}

describe('writers on text XML cannot carry', () => {
  const nasty =
    'a\u0000b\u0007c\u001b[31m\ud800 lone \udfff pair \ud83d\ude00 ]]> <tag attr="x"> & \' \ufffe\ufffftab\tnl\ncr\r';

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
    // Read back, the message is the original (after its severity) with only the unrepresentable characters escaped.
    assert.equal(failure['@_message'], `[critical] ${legalText(nasty)}`);
    assert.ok(
      failure['#text']!.startsWith(`st\nSeverity: critical\nCounterexample: [${legalText(JSON.stringify(nasty))}`),
    );
    assert.ok(failure['#text']!.includes('Counterexample: ['));
    assert.ok(
      failure['#text']!.includes(
        'Replay: npx sessionbench props --backend ./odd.mjs --only round-trip --seed -3 --path 0:1',
      ),
    );
    assert.ok('skipped' in skipped!);
  });

  test('summary.md keeps the table intact and fences a counterexample holding backticks', () => {
    const md = renderSummary(reportWith(nasty));
    const row = md.split('\n').find((l) => l.startsWith('| odd'))!;
    assert.equal(row.split(/(?<!\\)\|/).length, 9, row);
    assert.ok(
      !/[\u0000-\u0008\ud800-\udfff]/.test(md.replace(/\ud83d\ude00/g, '')),
      'no raw control characters or lone surrogates',
    );
    assert.match(md, /^````text$/m, 'a fence longer than the backticks inside');
    assert.match(md, /npx sessionbench props --backend \.\/odd\.mjs --only round-trip --seed -3 --path 0:1/);
  });
});

describe('the properties gate and severity', () => {
  const result = (id: string, severity: Severity, status: 'passed' | 'failed' | 'errored'): PropertyResult => {
    const base = { id, statement: 'st', requires: [], severity, runs: 1, durationMs: 1 };
    if (status === 'passed') return { ...base, status, seed: 1 };
    if (status === 'errored') return { ...base, status, message: 'timed out' };
    return { ...base, status, message: 'm', counterexample: 'c', seed: 1, path: '0', replay: 'r' };
  };

  test('minor failures fail only --strict; critical, major and errored ones always; every failure is named', () => {
    const minorOnly = [result('a', 'critical', 'passed'), result('codes', 'minor', 'failed')];
    const lenient = propertiesGate('b', minorOnly, false);
    assert.equal(lenient.status, 'passed');
    assert.match(
      lenient.detail,
      /1\/2 applicable passed; minor, failing the gate only with --strict: codes failed \(minor\)/,
    );
    assert.equal(propertiesGate('b', minorOnly, true).status, 'failed');
    for (const bad of [
      result('x', 'major', 'failed'),
      result('y', 'critical', 'failed'),
      result('z', 'minor', 'errored'),
    ]) {
      assert.equal(
        propertiesGate('b', [...minorOnly, bad], false).status,
        'failed',
        `${bad.id} ${bad.severity} ${bad.status}`,
      );
    }
    // Named critical first, whatever the suite order.
    const detail = propertiesGate(
      'b',
      [result('m', 'minor', 'failed'), result('j', 'major', 'failed'), result('c', 'critical', 'failed')],
      true,
    ).detail;
    assert.match(detail, /c failed \(critical\), j failed \(major\), m failed \(minor\)/);
  });

  test('summary.md lists failures critical first and names the gate mode', () => {
    const backend = (name: string, properties: PropertyResult[]): BackendReport => ({
      name,
      spec: name,
      kind: 'plugin',
      capabilities: { persistent: false, shared: false },
      status: 'failed',
      properties,
      benchmarks: [],
      budgets: [],
      gates: [propertiesGate(name, properties, false)],
    });
    const summary = renderSummary(
      reportOf([
        backend('one', [result('codes', 'minor', 'failed')]),
        backend('two', [result('lost', 'critical', 'failed')]),
      ]),
    );
    assert.match(summary, /default gate/);
    const critical = summary.indexOf('### ❌ critical: two: property `lost` failed');
    const minor = summary.indexOf('### ⚠️ minor: one: property `codes` failed (fails the gate only with --strict)');
    assert.ok(critical >= 0 && minor > critical, summary);
  });
});

describe('budgets', () => {
  const row: BenchmarkRow = {
    backend: 'memory',
    driver: 'backend',
    op: 'fetch-hit',
    datasetSize: 10_000,
    payloadBytes: 200,
    concurrency: 1,
    mode: 'closed-loop',
    p50Us: 2,
    p95Us: 4,
    p99Us: 30,
    p999Us: 50,
    maxUs: 90,
    opsPerSec: 1,
    samples: 100,
    rme: 1,
    overheadRatio: 1.2,
  };

  test('the default budgets file parses and covers the reference backends', () => {
    const budgets = loadBudgets();
    for (const name of ['memory', 'sqlite', 'lmdb', 'redis', 'postgres'])
      assert.ok((budgets.backends[name]?.length ?? 0) > 0, name);
  });

  test('limits hold, fail, or are skipped when nothing matched', () => {
    const budgets = parseBudgets(
      JSON.stringify({
        backends: {
          memory: [
            { op: 'fetch-hit', concurrency: 1, p50Us: 5, p99Us: 20, overheadRatio: 1.5 },
            { op: 'list', p50Us: 9 },
          ],
        },
      }),
      'inline',
    );
    const checks = checkBudgets(budgets, 'memory', [
      row,
      { ...row, driver: 'raw' },
      { ...row, concurrency: 64, p99Us: 1e6 },
    ]);
    assert.deepEqual(
      checks.map((c) => [c.conditions.op, c.metric, c.actual, c.status]),
      [
        ['fetch-hit', 'p50Us', 2, 'passed'],
        ['fetch-hit', 'p99Us', 30, 'failed'],
        ['fetch-hit', 'overheadRatio', 1.2, 'passed'],
        ['list', 'p50Us', null, 'skipped'],
      ],
    );
    const gate = budgetsGate('memory', checks);
    assert.equal(gate.status, 'failed');
    assert.match(
      gate.detail,
      /^1 of 3 limits exceeded, 1 not measured in this run: fetch-hit p99Us 30\.0 µs \(limit 20\.0 µs\) at n=10000 200B c=1 closed-loop$/,
    );
    assert.equal(budgetsGate('other', checkBudgets(budgets, 'other', [row])).status, 'skipped');
  });

  test('a ratio with an interval fails only when the whole interval is over the limit', () => {
    const budgets = parseBudgets(
      JSON.stringify({ backends: { memory: [{ op: 'fetch-hit', overheadRatio: 2.5 }] } }),
      'inline',
    );
    const interval = (low: number, high: number) => ({ low, high, confidence: 0.961, rounds: 12 });
    const rows: BenchmarkRow[] = [
      { ...row, overheadRatio: 3.07, overheadRatioInterval: interval(2.1, 3.3) }, // over the limit, but by chance: straddles
      { ...row, concurrency: 2, overheadRatio: 2.4, overheadRatioInterval: interval(2.2, 2.6) },
      { ...row, concurrency: 3, overheadRatio: 2.9, overheadRatioInterval: interval(2.6, 3.2) }, // all of it above
      { ...row, concurrency: 4, overheadRatio: 2.6 }, // one round (an older report): the estimate alone
    ];
    const checks = checkBudgets(budgets, 'memory', rows);
    assert.deepEqual(
      checks.map((c) => [c.actual, c.interval?.low ?? null, c.status]),
      [
        [3.07, 2.1, 'passed'],
        [2.4, 2.2, 'passed'],
        [2.9, 2.6, 'failed'],
        [2.6, null, 'failed'],
      ],
    );
    assert.equal(budgetsGate('memory', checks.slice(0, 2)).status, 'passed');
    const gate = budgetsGate('memory', checks);
    assert.equal(gate.status, 'failed');
    assert.match(
      gate.detail,
      /^2 of 4 limits exceeded: fetch-hit overheadRatio 2\.90x \[96% CI 2\.60x\.\.3\.20x, 12 rounds\] \(limit 2\.50x\) at n=10000 200B c=3 closed-loop; fetch-hit overheadRatio 2\.60x \(limit 2\.50x\)/,
    );

    // The report carries the interval (schema-valid) and summary.md shows every ratio with it.
    const backend: BackendReport = {
      name: 'memory',
      spec: 'memory',
      kind: 'reference',
      capabilities: { persistent: false, shared: false },
      status: 'failed',
      properties: [],
      benchmarks: rows.map((r) => ({ ...r, roundP50sUs: Array.from({ length: 12 }, () => r.p50Us) })),
      budgets: checks,
      gates: [gate],
    };
    const report = reportOf([backend]);
    assert.ok(validateReport(report), JSON.stringify(validateReport.errors, null, 2));
    const md = renderSummary(report);
    assert.match(
      md,
      /^\| memory \| fetch-hit \| n=10000 200B c=1 closed-loop \| 3\.07x \| 2\.10x \.\. 3\.30x \(96%, 12 rounds\) \| 2\.50x \| ✅ passed \|$/m,
    );
    assert.match(
      md,
      /^\| memory \| fetch-hit \| n=10000 200B c=4 closed-loop \| 2\.60x \| – \| 2\.50x \| ❌ failed \|$/m,
    );
  });

  test("a p50 measured in rounds fails only when the interval of its rounds' p50s is over the limit", () => {
    const budgets = parseBudgets(JSON.stringify({ backends: { memory: [{ op: 'fetch-hit', p50Us: 100 }] } }), 'inline');
    // 30 rounds: a burst of noise in 10 of them pulls the pooled p50 over the limit, but the
    // median round stays under it; a backend slow in every round is over it whatever the noise.
    const bursty = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 400 : 90));
    const slow = Array.from({ length: 30 }, (_, i) => 150 + (i % 5));
    const rows: BenchmarkRow[] = [
      { ...row, p50Us: 120, roundP50sUs: bursty },
      { ...row, concurrency: 2, p50Us: 152, roundP50sUs: slow },
      { ...row, concurrency: 3, p50Us: 120 }, // not measured in rounds (open loop, list): as measured
    ];
    const checks = checkBudgets(budgets, 'memory', rows);
    assert.deepEqual(
      checks.map((c) => [c.actual, c.interval?.low ?? null, c.status]),
      [
        [120, 90, 'passed'],
        [152, 151, 'failed'],
        [120, null, 'failed'],
      ],
    );
    assert.match(
      budgetsGate('memory', checks).detail,
      /fetch-hit p50Us 152 µs \[\d+% CI 151 µs\.\.15\d µs, 30 rounds\] \(limit 100 µs\)/,
    );
  });

  test('a run passes only when a gate passed and none failed: nothing verified is no pass', () => {
    const gate = (status: 'passed' | 'failed' | 'skipped') => ({
      name: 'availability' as const,
      backend: 'redis',
      status,
      detail: 'x',
    });
    assert.equal(overallStatus([gate('passed'), gate('skipped')]), 'passed');
    assert.equal(overallStatus([gate('passed'), gate('failed')]), 'failed');
    assert.equal(overallStatus([gate('skipped'), gate('skipped')]), 'nothing-verified');
    assert.equal(overallStatus([]), 'nothing-verified');
    const report = reportOf([
      {
        name: 'redis',
        spec: 'redis',
        kind: 'reference',
        capabilities: { persistent: true, shared: true },
        status: 'skipped',
        skipReason: 'no Redis',
        properties: [],
        benchmarks: [],
        budgets: [],
        gates: [gate('skipped')],
      },
    ]);
    assert.equal(report.status, 'nothing-verified');
    assert.ok(validateReport(report), JSON.stringify(validateReport.errors, null, 2));
    const md = renderSummary(report);
    assert.match(md, /^# sessionbench verify: ❌ nothing-verified$/m);
    assert.match(md, /### ❌ Nothing was verified/);
  });

  test('a malformed budgets file is refused with where and why', () => {
    assert.throws(() => parseBudgets('{', 'b.json'), /budgets file b.json: is not JSON/);
    assert.throws(() => parseBudgets('{"backends":{"m":[{"op":"x"}]}}', 'b.json'), /backends.m\[0\] sets no limit/);
    assert.throws(
      () => parseBudgets('{"backends":{"m":[{"op":"x","p50Us":-1}]}}', 'b.json'),
      /backends.m\[0\].p50Us must be a positive number/,
    );
    assert.throws(() => parseBudgets('{"backends":{"m":[{"op":"x","p50":1}]}}', 'b.json'), /sets no limit/);
    assert.throws(
      () => parseBudgets('{"backends":{"m":[{"op":"x","p50Us":1,"p51Us":2}]}}', 'b.json'),
      /unknown field\(s\) p51Us/,
    );
    assert.throws(
      () => parseBudgets('{"backends":{"m":[{"op":"x","p50Us":1,"mode":"sideways"}]}}', 'b.json'),
      /mode must be one of/,
    );
  });
});

describe('reliability in the reports', () => {
  let reliability: ReliabilityReport;
  // The failover run needs a 6-process cluster of its own (test/redis-failover.test.ts runs it): its figures are given here.
  const failover: FailoverResult = {
    attempted: 900,
    acknowledged: 880,
    failed: 0,
    lost: 0,
    sessions: 16,
    unavailableWindowMs: 1800,
    writeStallMs: 2100,
    promotionMs: 1500,
    unavailableErrors: 40,
    unavailableRetried: 40,
    killedPort: 30001,
    promotedPort: 30004,
    durationMs: 15_000,
    linearizability: {
      ids: 16,
      ok: 16,
      anomalous: 0,
      unknown: 0,
      operations: 1900,
      kinds: emptyKinds(),
      anomalies: [],
      unknownIds: [],
      maxMsPerId: 12,
      totalMs: 80,
    },
  };
  // The partition run needs root and network namespaces (test/partition.test.ts runs it): its figures are given here.
  const partition: PartitionRun = {
    replicas: 0,
    partitions: 10,
    clients: 3,
    sessions: 8,
    nodeTimeoutMs: 1000,
    operations: 6545,
    acknowledged: 2573,
    ambiguous: 123,
    lost: 170,
    lostUpdates: 44,
    staleReads: 135,
    impossibleReads: 0,
    examples: ['lost: s4 write c0-173 by c0 acknowledged, replaced by c2-176 (c2 touch) without a delete'],
    detectMs: { min: 1673, median: 2319, max: 2817 },
    undetected: 0,
    healMs: { min: 3510, median: 4844, max: 5620 },
    checker: {
      ids: 8,
      ok: 0,
      anomalous: 8,
      unknown: 0,
      operations: 6545,
      kinds: { 'lost-update': 1, 'stale-read': 5, 'acknowledged-write-lost': 0, other: 2 },
      anomalies: [],
      unknownIds: [],
      maxMsPerId: 55,
      totalMs: 200,
    },
    durationMs: 151_980,
  };

  before(async () => {
    reliability = {
      ...(await runReliability({
        profile: 'quick',
        backends: ['memory', 'sqlite'],
        dir: mkdtempSync(join(scratch, 'reliability-')),
        seed: 7,
      })),
      failover,
      partition: [partition],
    };
  });

  function backend(name: string, gates: BackendReport['gates']): BackendReport {
    return {
      name,
      spec: name,
      kind: 'reference',
      capabilities: { persistent: true, shared: true },
      status: 'passed',
      properties: [],
      benchmarks: [],
      budgets: [],
      gates,
    };
  }

  function reportWithReliability(r: ReliabilityReport): Report {
    const report = reportOf([
      backend('memory', reliabilityGates('memory', r)),
      backend('sqlite', reliabilityGates('sqlite', r)),
      backend('redis-cluster', [failoverGate('redis-cluster', r.failover!)]),
    ]);
    return { ...report, reliability: r };
  }

  test('the real run has the rows verify gates on, and the report validates', () => {
    assert.deepEqual(
      reliability.crash.map((c) => [c.backend, c.durability]),
      [
        ['sqlite', 'full'],
        ['sqlite', 'normal'],
      ],
    );
    assert.deepEqual(
      reliability.corruption.map((c) => c.backend),
      ['sqlite', 'sqlite+aes'],
    );
    assert.deepEqual(
      reliability.hostileInput.map((h) => [h.backend, h.failures]),
      [
        ['memory', 0],
        ['sqlite', 0],
      ],
    );
    const report = reportWithReliability(reliability);
    assert.ok(validateReport(report), JSON.stringify(validateReport.errors, null, 2));
    assert.deepEqual(
      report.gates.map((g) => `${g.backend} ${g.name}`),
      [
        'memory hostile-input',
        'sqlite crash-durability',
        'sqlite corruption',
        'sqlite hostile-input',
        'sqlite linearizability',
        'redis-cluster failover',
      ],
    );
    const wrong = report.reliability!.corruption.some((c) => c.readWrong > 0 || c.listStrangers > 0 || c.crashed > 0);
    assert.equal(report.gates.find((g) => g.name === 'corruption')!.status, wrong ? 'failed' : 'passed');
    const broken = structuredClone(report);
    (broken.reliability!.crash[0] as unknown as Record<string, unknown>).missing = 'none';
    assert.equal(validateReport(broken), false, 'the gated figures are typed');
  });

  test('summary.md has a Reliability section with a table per scenario, junit.xml a testcase per gate', () => {
    const report = reportWithReliability(reliability);
    const md = renderSummary(report);
    assert.match(md, /^## Reliability$/m);
    for (const title of [
      'Crash durability',
      'Corruption',
      'Hostile input',
      'Linearizability',
      'Redis Cluster failover',
    ])
      assert.match(md, new RegExp(`^### ${title}`, 'm'));
    assert.doesNotMatch(md, /^### Redis faults/m, 'no table for a scenario that did not run');
    assert.match(
      md,
      /^\| Writes attempted \| Acknowledged \| Failed \| Lost \| Unavailable window ms \| Write stall ms \| Promotion ms \|$/m,
    );
    assert.match(md, /^\| 900 \| 880 \| 0 \| 0 \| 1800 \| 2100 \| 1500 \|$/m);
    assert.match(md, /^### Redis Cluster partitions/m);
    assert.match(
      md,
      /^\| 0 \| 10 \| 2573 \| 170 \| 135 \| 44 \| 0 \| 0 \/ 8 \/ 0 \| 1673 \/ 2319 \/ 2817 \| 3510 \/ 4844 \/ 5620 \|$/m,
    );
    assert.match(md, /^\| sqlite \| full \| 10 \| \d+ \| 0 \| 0 \| 0 \|$/m);
    const xml = renderJunit(report);
    assert.equal(XMLValidator.validate(xml), true);
    const gateCases = junitCases(xml).filter((c) => String(c['@_classname']).endsWith('.gates'));
    assert.deepEqual(
      gateCases.map((c) => `${c['@_classname']} ${c['@_name']}`),
      report.gates.map((g) => `sessionbench.${g.backend}.gates ${g.name}`),
    );
    for (const c of gateCases)
      assert.equal(
        'failure' in c,
        report.gates.find((g) => `sessionbench.${g.backend}.gates` === c['@_classname'] && g.name === c['@_name'])!
          .status === 'failed',
      );
  });

  test('postgres server kills and terminations validate and get tables of their own', () => {
    const report = reportWithReliability({
      ...reliability,
      crash: [
        ...reliability.crash,
        {
          backend: 'postgres',
          durability: 'full',
          kills: 10,
          acknowledged: 250,
          missing: 0,
          changed: 0,
          openFailures: 0,
          examples: [],
          restartMs: { median: 900, max: 1200 },
        },
      ],
      postgresTerminate: [
        {
          backend: 'postgres',
          terminations: 5,
          connectionsTerminated: 20,
          errors: 8,
          errorCodes: { UNAVAILABLE: 8 },
          recoveryMs: 310,
          hung: false,
          slowestFailureMs: 30,
          commandTimeoutMs: 2000,
          operations: 800,
          acknowledged: 400,
          lost: 0,
          readsBehind: 0,
        },
      ],
    });
    assert.ok(validateReport(report), JSON.stringify(validateReport.errors, null, 2));
    const md = renderSummary(report);
    assert.match(md, /^\| postgres \| full \| 10 \| 250 \| 0 \| 0 \| 0 \| 900 \/ 1200 \|$/m);
    assert.match(md, /^\| postgres \| 5 \| 20 \| 800 \| UNAVAILABLE 8 \| 310 \| 30 \| no \| 400 \| 0 \| 0 \|$/m);
    // The file stores' crash table keeps only process kills.
    const fileCrash = md.split('### Crash durability')[1]!.split('###')[0]!;
    assert.doesNotMatch(fileCrash, /postgres/);
  });

  test('encryption cost rows name their conditions, so two rows of one op read apart', () => {
    const row = {
      op: 'create',
      datasetSize: 10_000,
      payloadBytes: 200,
      concurrency: 1,
      mode: 'closed-loop' as const,
      plainP50Us: 67.3,
      encryptedP50Us: 138,
      ratio: 138 / 67.3,
    };
    const report = reportWithReliability({
      ...reliability,
      encryption: [row, { ...row, payloadBytes: 10_240, plainP50Us: 323, encryptedP50Us: 669, ratio: 669 / 323 }],
    });
    assert.ok(validateReport(report), JSON.stringify(validateReport.errors, null, 2));
    const md = renderSummary(report);
    assert.match(md, /^\| create \| n=10000 200B c=1 closed-loop \| 67\.3 \| 138 \| 2\.05x \|$/m);
    assert.match(md, /^\| create \| n=10000 10240B c=1 closed-loop \| 323 \| 669 \| 2\.07x \|$/m);
  });

  test('each gate passes on zeros and fails on the figure it guards', () => {
    const crash = {
      backend: 'sqlite',
      durability: 'full' as const,
      kills: 10,
      acknowledged: 100,
      missing: 0,
      changed: 0,
      openFailures: 0,
      examples: [],
    };
    assert.equal(crashGate('sqlite', [crash]).status, 'passed');
    assert.equal(
      crashGate('sqlite', [crash, { ...crash, durability: 'normal', missing: 3 }]).status,
      'passed',
      'normal durability may lose the last writes',
    );
    for (const bad of [{ missing: 1 }, { changed: 1 }, { openFailures: 1 }])
      assert.equal(crashGate('sqlite', [{ ...crash, ...bad }]).status, 'failed', JSON.stringify(bad));
    assert.equal(crashGate('sqlite', []).status, 'skipped');

    const corruption = {
      backend: 'lmdb+aes',
      options: {},
      trials: 20,
      corruptErrors: 18,
      readOk: 2,
      readWrong: 0,
      listStrangers: 0,
      crashed: 0,
      otherErrors: 0,
      sessionsLost: 1,
      examples: [],
    };
    assert.equal(corruptionGate('lmdb', [corruption]).status, 'passed');
    const wrong = corruptionGate('lmdb', [{ ...corruption, readWrong: 1, examples: ['trial 3: read wrong'] }]);
    assert.equal(wrong.status, 'failed');
    assert.match(wrong.detail, /1 read wrong.*trial 3: read wrong/);
    assert.equal(corruptionGate('lmdb', [{ ...corruption, crashed: 1 }]).status, 'failed');

    const fault = {
      fault: 'client-kill' as const,
      errors: 4,
      errorCodes: { UNAVAILABLE: 4 },
      recoveryMs: 120,
      hung: false,
      slowestFailureMs: 500,
      commandTimeoutMs: 1000,
      operations: 50,
    };
    assert.equal(redisFaultsGate('redis', [fault]).status, 'passed');
    assert.equal(redisFaultsGate('redis', [{ ...fault, hung: true }]).status, 'failed');
    assert.match(
      redisFaultsGate('redis', [{ ...fault, errorCodes: { UNAVAILABLE: 3, CORRUPT: 1 } }]).detail,
      /not UNAVAILABLE: CORRUPT/,
    );
    assert.equal(redisFaultsGate('redis', [{ ...fault, errorCodes: { UNAVAILABLE: 3, CORRUPT: 1 } }]).status, 'failed');

    const serverCrash = { ...crash, backend: 'postgres', restartMs: { median: 900, max: 1200 } };
    const pgCrash = crashGate('postgres', [serverCrash], 'postgres-crash');
    assert.deepEqual([pgCrash.name, pgCrash.status], ['postgres-crash', 'passed']);
    assert.match(pgCrash.detail, /restart median 900 ms \(max 1200\)/);
    assert.equal(crashGate('postgres', [{ ...serverCrash, missing: 1 }], 'postgres-crash').status, 'failed');

    const terminate = {
      ...fault,
      backend: 'postgres',
      terminations: 5,
      connectionsTerminated: 20,
      acknowledged: 400,
      lost: 0,
      readsBehind: 0,
    };
    assert.equal(postgresTerminateGate('postgres', [terminate]).status, 'passed');
    for (const bad of [{ hung: true }, { errorCodes: { INVALID_SESSION: 1 } }, { lost: 1 }, { readsBehind: 1 }])
      assert.equal(postgresTerminateGate('postgres', [{ ...terminate, ...bad }]).status, 'failed', JSON.stringify(bad));
    assert.equal(postgresTerminateGate('postgres', []).status, 'skipped');

    const hostile = { backend: 'memory', cases: 100, failures: 0, seed: 1 };
    assert.equal(hostileGate('memory', hostile).status, 'passed');
    assert.equal(hostileGate('memory', { ...hostile, failures: 1, failure: 'fetch reached "a*"' }).status, 'failed');

    assert.equal(failoverGate('redis-cluster', failover).status, 'passed');
    const lost = failoverGate('redis-cluster', { ...failover, lost: 2 });
    assert.equal(lost.status, 'failed');
    assert.match(
      lost.detail,
      /^2 lost of 880 acknowledged \(900 attempted\); unavailable 1800 ms, write stall 2100 ms; history \(reported, not gated\): 16 ids \(1900 ops\): 16 ok, 0 anomalous, 0 unknown; slowest id 12\.0 ms$/,
    );
    assert.equal(failoverGate('redis-cluster', { error: 'no redis-server' }).status, 'failed');

    // Two processes on one store: the real run's sqlite row passes; an anomaly or an unknown id fails.
    const history = reliability.histories.find((h) => h.backend === 'sqlite')!;
    assert.equal(history.check.anomalous + history.check.unknown, 0, JSON.stringify(history.check));
    assert.equal(linearizabilityGate('sqlite', history).status, 'passed');
    const anomalous = { ...history, check: { ...history.check, ok: history.check.ok - 1, anomalous: 1 } };
    assert.equal(linearizabilityGate('sqlite', anomalous).status, 'failed');
    const unknown = {
      ...history,
      check: { ...history.check, ok: history.check.ok - 1, unknown: 1, unknownIds: ['s0'] },
    };
    const undecided = linearizabilityGate('sqlite', unknown);
    assert.equal(undecided.status, 'failed', 'unknown is never passed');
    assert.match(undecided.detail, /unknown \(budget ran out, not a pass\): s0/);
    assert.equal(linearizabilityGate('sqlite', undefined).status, 'skipped');

    // Through the report: a lost write fails the run and shows in summary.md's Failures.
    const report = reportWithReliability({ ...reliability, failover: { ...failover, lost: 2 } });
    assert.equal(report.status, 'failed');
    assert.match(renderSummary(report), /### ❌ redis-cluster: failover\n\n2 lost of 880/);
  });
});
