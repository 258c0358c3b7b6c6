// A closed store must let its process exit: a forgotten interval or open socket keeps a test
// runner or a rolling deploy waiting forever. Judged in a child process that opens, uses and
// closes the store, then has the grace period to exit on its own.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { siblingScriptArgs } from '../../backends/sibling-script.js';
import { withTimeout } from '../../backends/timeout.js';
import type { CloseExitRequest } from './close-exit-child.js';
import type { ChildScenario, ScenarioContext, ScenarioVerdict } from './define.js';

/** Starting node with tsx and loading a store module can take seconds on a loaded machine. */
const CHILD_START_MS = 20_000;
/** Children starting at once compete for the CPU (tsx compiles): at most this many at a time per process. */
const MAX_CHILDREN = 2;
let running = 0;
const waiting: (() => void)[] = [];

/** Waits for a free child slot; the function it resolves to hands the slot on. */
async function childSlot(): Promise<() => void> {
  if (running < MAX_CHILDREN) running += 1;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  return () => {
    const next = waiting.shift();
    if (next === undefined) running -= 1;
    else next(); // the slot passes on as it is: running stays the same
  };
}

export const closeLetsExit: ChildScenario = {
  id: 'close-lets-process-exit',
  statement: 'once the store is closed, its process exits on its own',
  severity: 'major',
  why: 'a process that cannot exit hangs deploys and test runners, but loses nothing: major',
  inChild: true,
  async run(ctx) {
    const release = await childSlot();
    try {
      return await closeAndWatch(ctx);
    } finally {
      release();
    }
  },
};

async function closeAndWatch({ spec, context, timing }: ScenarioContext): Promise<ScenarioVerdict> {
  const request: CloseExitRequest = {
    spec,
    context: { ...context, namespace: `${context.namespace}-child` },
    callTimeoutMs: timing.callTimeoutMs,
    openTimeoutMs: timing.openTimeoutMs,
    ttlMs: timing.longTtlMs,
  };
  const child = spawn(
    process.execPath,
    [...siblingScriptArgs(import.meta.url, 'close-exit-child'), JSON.stringify(request)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4096);
  });
  // 'close', not 'exit': by then stdout is read to its end, so the close report is never missed.
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  const closed = new Promise<{ at: number; line: string } | undefined>((resolve) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ at: Date.now(), line }));
    void exited.then(() => resolve(undefined));
  });
  const bound = CHILD_START_MS + timing.openTimeoutMs + 4 * timing.callTimeoutMs;
  const report = await withTimeout(closed, bound, { resolveWith: undefined });
  if (report === undefined) {
    child.kill('SIGKILL');
    const lastLine = stderr.trim().split('\n').at(-1) ?? '';
    throw new Error(
      `the child did not open, use and close the store within ${bound} ms${lastLine ? `: ${lastLine}` : ''}`,
    );
  }
  const exit = await withTimeout(exited, timing.exitGraceMs, { resolveWith: undefined });
  const calls = (JSON.parse(report.line) as { closed: string[] }).closed.join(', ');
  if (exit === undefined) {
    child.kill('SIGKILL');
    await exited;
    return {
      passed: false,
      figures: { trials: 1, anomalies: 1 },
      detail: `still running ${timing.exitGraceMs} ms after close (set, get, destroy, close: ${calls}); killed`,
    };
  }
  return {
    passed: true,
    figures: { trials: 1, anomalies: 0 },
    detail: `exited ${Date.now() - report.at} ms after close (set, get, destroy, close: ${calls})`,
  };
}
