// report.html in a real browser: headless Chromium (Debian's chromium package) loads the page
// with the network off, and the charts are in the rendered DOM and on the screenshot.
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
import { reportOf } from './report-fixture.js';
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
    const report = reportOf(
      [memory, plugin.module].map((m) => ({
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
    );
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
      2 * scalingCharts,
      'a line per backend per scaling chart',
    );
    assert.match(dom, /<td>plugin-map<\/td><td>plugin<\/td>/);
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
