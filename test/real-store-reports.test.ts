// The reports for real stores: the scenarios gate, the Choosing a store section of summary.md,
// scenarios in junit.xml, a preset store's report valid against the schema, and the percentile
// ladder every benchmark row carries for report.html's curves.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import memory from '../backends/memory.js';
import { runBenchmarks } from '../benchmarks/index.js';
import type { BenchmarkRow } from '../benchmarks/result.js';
import { percentileLadder } from '../benchmarks/stats.js';
import type { ScenarioResult } from '../properties/scenarios/result.js';
import { propertiesGate, scenariosGate } from '../reports/gates.js';
import { renderHtml } from '../reports/html.js';
import { renderJunit } from '../reports/junit.js';
import { readReport } from '../reports/read-report.js';
import { SCHEMA_VERSION } from '../reports/report.js';
import { renderSummary } from '../reports/summary.js';
import { junitCases, validateReport } from './helpers/report-files.js';
import { PRESET_SCENARIOS, presetStore, reportOf } from './report-fixture.js';
import { tempDir } from './helpers/tmp.js';

/** A reference store that ran nothing, beside the preset. */
const reference = {
  name: 'memory',
  spec: 'memory',
  kind: 'reference' as const,
  capabilities: { persistent: false, shared: false },
  status: 'passed' as const,
  properties: [],
  benchmarks: [],
  budgets: [],
  gates: [],
};

function scenario(id: string, severity: ScenarioResult['severity'], status: 'passed' | 'failed'): ScenarioResult {
  return {
    id,
    statement: `${id} holds`,
    severity,
    durationMs: 10,
    status,
    figures: { trials: 20, anomalies: status === 'failed' ? 2 : 0 },
    detail: '',
  };
}

describe('the scenarios gate', () => {
  test('fails on a critical or major failure or any error, naming it with its figures', () => {
    const critical = scenariosGate('s', PRESET_SCENARIOS, false);
    assert.equal(critical.status, 'failed');
    assert.equal(critical.name, 'scenarios');
    assert.match(critical.detail, /^1\/2 applicable passed, 1 not applicable; touch-after-expiry failed \(critical\)/);
    assert.match(critical.detail, /anomaly in 3\/20 trials/);
    assert.equal(scenariosGate('s', [scenario('late', 'major', 'failed')], false).status, 'failed');
    const errored: ScenarioResult = {
      id: 'hangs',
      statement: '',
      severity: 'minor',
      durationMs: 1,
      status: 'errored',
      error: 'timed out after 5000 ms',
    };
    const gate = scenariosGate('s', [errored], false);
    assert.equal(gate.status, 'failed', 'nothing was decided');
    assert.match(gate.detail, /hangs errored \(minor\): errored: timed out after 5000 ms/);
  });

  test('a minor failure fails it only with --strict, and is named either way', () => {
    const results = [scenario('ok', 'critical', 'passed'), scenario('callback-once', 'minor', 'failed')];
    const lenient = scenariosGate('s', results, false);
    assert.equal(lenient.status, 'passed');
    assert.match(lenient.detail, /only with --strict: callback-once failed \(minor\)/);
    assert.equal(scenariosGate('s', results, true).status, 'failed');
    assert.equal(scenariosGate('s', [scenario('ok', 'critical', 'passed')], true).status, 'passed');
  });

  test('is skipped, never passed, when no scenario ran or none applied', () => {
    assert.deepEqual(scenariosGate('s', [], true), {
      name: 'scenarios',
      backend: 's',
      status: 'skipped',
      detail: 'no scenario ran',
    });
    assert.equal(
      scenariosGate(
        's',
        PRESET_SCENARIOS.filter((r) => r.status === 'not-applicable'),
        true,
      ).status,
      'skipped',
    );
  });
});

describe('a preset store in the reports', () => {
  const report = reportOf([reference, presetStore()]);

  test('report.json with scenarios, server, kind preset and percentiles validates; broken ones do not', () => {
    const row: BenchmarkRow = {
      backend: 'connect-redis',
      driver: 'backend',
      op: 'fetch-hit',
      datasetSize: 100,
      payloadBytes: 200,
      concurrency: 1,
      mode: 'closed-loop',
      p50Us: 50,
      p95Us: 80,
      p99Us: 90,
      p999Us: 95,
      maxUs: 100,
      opsPerSec: 20_000,
      samples: 100,
      rme: 1,
      overheadRatio: null,
      percentiles: percentileLadder(100, (p) => p, 100),
    };
    const withRow = reportOf([reference, presetStore([row])]);
    assert.ok(validateReport(withRow), JSON.stringify(validateReport.errors, null, 2));
    const copy = (): typeof withRow => structuredClone(withRow);
    const broken = [copy(), copy(), copy(), copy()];
    delete (broken[0]!.backends[1]!.scenarios![0] as { figures?: unknown }).figures;
    (broken[1]!.backends[1]!.scenarios![2] as { reason?: string }).reason = undefined;
    broken[1] = JSON.parse(JSON.stringify(broken[1]));
    broken[2]!.backends[1]!.benchmarks[0]!.percentiles![0] = [50, 1, 2] as unknown as [number, number];
    (broken[3]!.backends[1]! as { kind: string }).kind = 'package';
    for (const [i, b] of broken.entries()) assert.equal(validateReport(b), false, `broken report ${i} validates`);
  });

  test('a version 1 report (no field of version 2) still reads as a baseline; an unknown version does not', () => {
    const dir = tempDir('read-report');
    try {
      const file = join(dir.path, 'report.json');
      writeFileSync(file, JSON.stringify({ ...reportOf([reference]), schemaVersion: 1 }));
      assert.equal(readReport(file).schemaVersion, SCHEMA_VERSION);
      writeFileSync(file, JSON.stringify({ ...reportOf([reference]), schemaVersion: 3 }));
      assert.throws(() => readReport(file), /not a sessionbench report of schema version 1 or 2 \(schemaVersion 3\)/);
    } finally {
      dir.remove();
    }
  });

  test('summary.md: one Choosing a store row per store with failures, scenario outcomes, latency and server', () => {
    const md = renderSummary(report);
    for (const heading of ['## Gates', '## Choosing a store', '## Failures'])
      assert.ok(md.includes(`\n${heading}\n`), heading);
    const section = md.slice(md.indexOf('## Choosing a store'), md.indexOf('## Failures'));
    const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Store'));
    assert.equal(rows.length, 2, section);
    assert.match(
      rows[0]!,
      /^\| memory \| reference \| not checked \| – \| – \| – \| – \| – \| – \| none \(in process\) \|$/,
    );
    assert.match(
      rows[1]!,
      /^\| connect-redis \| preset \| 1 critical: touch-after-expiry \(scenario\) \| ✗ anomaly in 3\/20 trials \| ✓ expiry \+850 ms late at worst \(tolerance 1000 ms\) \| n\/a \| – \| – \| – \| redis:\/\/127\.0\.0\.1:6379 \(local\) \|$/,
    );
    // The not-applicable reasons, in the words of the results themselves.
    const cas = presetStore().properties.find((p) => p.status === 'not-applicable')!;
    assert.equal(cas.status, 'not-applicable');
    assert.ok(section.includes(cas.message), section);
    assert.match(cas.message, /concurrent updates/);
    assert.ok(section.includes('the store has neither all() nor length()'));
    assert.match(md, /### ❌ critical: connect-redis: scenario `touch-after-expiry` failed\n\n_A touch after expiry/);
    // A store whose suite could not run says so instead of "not checked".
    const broken = {
      ...reference,
      name: 'broken',
      gates: [propertiesGate('broken', { error: 'open() timed out' }, false)],
    };
    assert.match(
      renderSummary(reportOf([broken])),
      /\| broken \| reference \| the suite could not run: open\(\) timed out \|/,
    );
  });

  test('junit.xml: a testcase per scenario, failed with its figures, not applicable as skipped', () => {
    const xml = renderJunit(report);
    assert.equal(XMLValidator.validate(xml), true);
    const cases = junitCases(xml).filter((c) => c['@_classname'] === 'sessionbench.connect-redis.scenarios');
    assert.deepEqual(
      cases.map((c) => c['@_name']),
      PRESET_SCENARIOS.map((s) => s.id),
    );
    const [failed, passed, na] = cases as Record<string, Record<string, string>>[];
    assert.equal(
      failed!.failure!['@_message'],
      '[critical] anomaly in 3/20 trials; 3 sessions touched after their TTL were readable again',
    );
    assert.equal(passed!.failure, undefined);
    assert.equal(passed!.skipped, undefined);
    assert.equal(na!.skipped!['@_message'], 'the store has neither all() nor length()');
    assert.ok(
      !junitCases(xml).some(
        (c) => c['@_classname'] === 'sessionbench.connect-redis.gates' && c['@_name'] === 'scenarios',
      ),
      'the itemised scenarios stand for their gate',
    );
  });
});

describe('percentile ladders', () => {
  test('only the percentiles the samples resolve, then the max', () => {
    const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
    const ladder = percentileLadder(sorted.length, (p) => sorted[Math.ceil((p / 100) * 999)]!, 1000);
    assert.deepEqual(
      ladder.map(([p]) => p),
      [0, 50, 75, 90, 95, 99, 99.5, 99.9, 100],
    );
    assert.deepEqual(ladder.at(-1), [100, 1000]);
    assert.deepEqual(
      percentileLadder(1, () => 7, 7),
      [
        [0, 7],
        [100, 7],
      ],
    );
    assert.deepEqual(
      percentileLadder(3, () => 1.234567, 2),
      [
        [0, 1.235],
        [50, 1.235],
        [100, 2],
      ],
    );
  });

  test('every benchmark row carries one, closed and open loop, agreeing with its p50 and max', async () => {
    const dir = tempDir('ladder');
    try {
      const rows = await runBenchmarks([{ name: 'memory', module: memory }], {
        profile: 'quick',
        ops: ['fetch-hit'],
        datasetSizes: [200],
        timeMs: 30,
        openLoop: true,
        openLoopMs: 200,
        openLoopRate: 1000,
        dir: dir.path,
        onProgress: () => {},
      });
      assert.ok(rows.some((r) => r.mode === 'open-loop') && rows.some((r) => r.mode === 'closed-loop'));
      for (const row of rows) {
        const ladder = row.percentiles!;
        const what = `${row.driver} ${row.op} ${row.mode}: ${JSON.stringify(ladder)}`;
        assert.ok(ladder.length >= 2, what);
        for (let i = 1; i < ladder.length; i++) {
          assert.ok(ladder[i]![0] > ladder[i - 1]![0], what);
          assert.ok(ladder[i]![1] >= ladder[i - 1]![1], what);
        }
        assert.deepEqual(ladder.at(-1), [100, Number(row.maxUs.toPrecision(4))], what);
        if (row.samples >= 2) assert.equal(ladder.find(([p]) => p === 50)![1], Number(row.p50Us.toPrecision(4)), what);
      }
      // report.html draws the open-loop rows apart: one curve per store, at its own arrival rate.
      const html = renderHtml(reportOf([{ ...reference, benchmarks: rows }]));
      const open = /<svg class="chart" data-chart="percentiles-fetch-hit-open-loop".*?<\/svg>/s.exec(html)?.[0] ?? '';
      const rate = rows.find((r) => r.mode === 'open-loop')!.arrivalRate;
      assert.deepEqual(
        [...open.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1]),
        [`memory @${rate}/s`],
      );
    } finally {
      dir.remove();
    }
  });
});
