// Child processes of the fault scenarios: a script of this folder run in its own process, read
// line by line, so a native crash or a SIGKILL takes down the child and is observed, never the caller.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { siblingScriptArgs } from '../../backends/sibling-script.js';
import { withTimeout } from '../../backends/timeout.js';

export interface ScriptChild {
  process: ChildProcess;
  /** Resolves once the child has exited and its stdout is fully read: its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last few KiB of stderr, for error messages. */
  stderr(): string;
}

/** Runs benchmarks/faults/<script> (a name without extension) with one JSON argument; onLine gets each stdout line. */
export function spawnScript(script: string, request: unknown, onLine: (line: string) => void): ScriptChild {
  const child = spawn(process.execPath, [...siblingScriptArgs(import.meta.url, script), JSON.stringify(request)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  });
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', onLine);
  const exited = Promise.all([once(child, 'exit'), once(lines, 'close')]).then(([[code, signal]]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { process: child, exited, stderr: () => tail.trim() };
}

/** A wait that done() resolves and fail() rejects; it rejects by itself after timeoutMs, saying what it waited for. */
export function waitFor(
  what: string,
  timeoutMs: number,
): { promise: Promise<void>; done(): void; fail(err: Error): void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const settled = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const promise = withTimeout(settled, timeoutMs, `timed out after ${timeoutMs} ms waiting for ${what}`);
  // A run that fails early leaves some waits unawaited: their timeout must not be an unhandled rejection.
  promise.catch(() => {});
  return { promise, done: resolve, fail: reject };
}
