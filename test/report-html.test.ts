// report.html in a real browser: headless Chromium (Debian's chromium package) loads the page
// with the network off, and the charts, the store-choice table and the percentile curves are in
// the rendered DOM and on the screenshot.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import memory from '../backends/memory.js';
import { runBenchmarks } from '../benchmarks/index.js';
import { renderHtml } from '../reports/html.js';
import { loadBackend } from '../backends/load-backend.js';
import { presetStore, reportOf } from './report-fixture.js';
import { ROOT } from './run-cli.js';

const CHROMIUM = '/usr/bin/chromium';
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'sessionbench-html-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Chromium flags for a sandbox-less container, with everything that would reach the network off. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  '--disable-quic',
  // A fresh profile of its own: nothing read from or left in the user's.
  `--user-data-dir=${join(scratch, 'chromium-profile')}`,
];

test(
  'report.html renders its charts in headless Chromium',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (apt-get install chromium)` },
  async () => {
    // Real rows of two backends at two dataset sizes: latency bars and a scaling series.
    const plugin = await loadBackend(join(ROOT, 'test/plugin-fixtures/good.mjs'));
    const rows = await runBenchmarks(
      [
        { name: 'memory', module: memory },
        { name: plugin.module.name, module: plugin.module, raw: false },
      ],
      {
        profile: 'quick',
        ops: ['create', 'fetch-hit', 'fetch-miss'],
        datasetSizes: [1000, 4000],
        timeMs: 30,
        dir: scratch,
        onProgress: () => {},
      },
    );
    // And a preset store (its scenarios from the fixture) with the plug-in's rows as its own.
    const preset = presetStore(rows.filter((r) => r.backend === plugin.module.name));
    const report = reportOf([
      ...[memory, plugin.module].map((m) => ({
        name: m.name,
        spec: m.name,
        kind: m === memory ? ('reference' as const) : ('plugin' as const),
        capabilities: m.capabilities,
        status: 'passed' as const,
        properties: [],
        benchmarks: rows.filter((r) => r.backend === m.name),
        budgets: [],
        gates: [],
      })),
      preset,
    ]);
    const file = join(scratch, 'report.html');
    writeFileSync(file, renderHtml(report));
    const url = pathToFileURL(file).href;

    const { stdout: dom } = await run(CHROMIUM, [...FLAGS, '--dump-dom', url], {
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const charts = [...dom.matchAll(/<svg class="chart" data-chart="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(charts[0], 'latency-200', charts.join());
    for (const op of ['create', 'fetch-hit'])
      assert.ok(charts.includes(`scaling-${op}`), `a scaling series for ${op}: ${charts.join()}`);
    assert.ok(!charts.includes('scaling-fetch-miss'), 'fetch-miss ran at one size only');
    const bars = [...dom.matchAll(/<rect class="bar p50"[^>]*><title>([^<]+)<\/title>/g)].map((m) => m[1]!);
    for (const backend of ['memory', 'plugin-map']) {
      for (const op of ['create', 'fetch-hit', 'fetch-miss'])
        assert.ok(
          bars.some((t) => t.startsWith(`${backend} ${op}: p50 `)),
          `${backend} ${op} bar`,
        );
    }
    const scalingCharts = charts.filter((c) => c.startsWith('scaling-')).length;
    assert.equal(
      (dom.match(/<polyline class="series"/g) ?? []).length,
      3 * scalingCharts,
      'a line per store per scaling chart',
    );
    assert.match(dom, /<td>plugin-map<\/td><td>plugin<\/td>/);

    // Choosing a store: a row per store, the preset's scenario outcomes in their cells.
    const choice = /<table class="choice">(.*?)<\/table>/s.exec(dom)?.[1] ?? '';
    const choiceRows = [...choice.matchAll(/<tr><td>([^<]+)<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(choiceRows, ['memory', 'plugin-map', 'connect-redis']);
    assert.match(choice, /<td class="failed">✗ anomaly in 3\/20 trials<\/td>/);
    assert.match(choice, /<td class="skipped">n\/a<\/td>/);

    // Percentile curves: per op a chart, a curve per store (memory's raw driver dashed beside it),
    // each through every point of its row's ladder, on the percentile axis's log ticks.
    for (const op of ['fetch-hit', 'create']) {
      const svg = new RegExp(`<svg class="chart" data-chart="percentiles-${op}".*?</svg>`, 's').exec(dom)?.[0] ?? '';
      const named = [...svg.matchAll(/<path class="percentile-curve" data-series="([^"]+)" d="([^"]+)"([^>]*)>/g)];
      assert.deepEqual(
        named.map((m) => m[1]),
        ['memory', 'memory (raw)', 'plugin-map', 'connect-redis'],
        op,
      );
      assert.deepEqual(
        named.filter((m) => m[3]!.includes('stroke-dasharray')).map((m) => m[1]),
        ['memory (raw)'],
        'only the raw driver is dashed',
      );
      for (const [, name, d] of named) {
        const backend = name!.replace(' (raw)', '');
        const row = report.backends
          .find((b) => b.name === backend)!
          .benchmarks.find(
            (r) => r.op === op && r.datasetSize === 1000 && (r.driver === 'raw') === name!.endsWith('(raw)'),
          )!;
        assert.equal(
          d!.split(/[ML]/).filter(Boolean).length,
          row.percentiles!.length,
          `${op} ${name}: a point per ladder step`,
        );
      }
      const ticks = [...svg.matchAll(/<text class="x-tick"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
      for (const tick of ['0%', '50%', '90%', '99%'])
        assert.ok(ticks.includes(tick), `${op}: tick ${tick} in ${ticks.join()}`);
    }
    assert.doesNotMatch(
      dom,
      /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/,
      'no script, nothing fetched from the network',
    );

    const png = join(scratch, 'report.png');
    await run(CHROMIUM, [...FLAGS, `--screenshot=${png}`, '--window-size=1200,1600', url], { timeout: 60_000 });
    // A blank page of that size compresses to a few KB; charts, text and tables do not.
    assert.ok(statSync(png).size > 30_000, `screenshot of ${statSync(png).size} bytes`);
  },
);
