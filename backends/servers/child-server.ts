// What every private server process shares (redis-server, postgres): a free loopback port, a
// spawn that says plainly when the binary is missing, its output kept for error messages, and
// the guarantee that it dies with this process: stop() stops and awaits it, and an exit / signal
// hook kills any still running.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { withTimeout } from '../timeout.js';

const STOP_TIMEOUT_MS = 5_000;

/** A loopback port nothing listens on right now (another process may still take it: callers retry). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

// Servers still running, killed with this process if nobody stopped them.
const running = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function killRunning(): void {
  for (const child of running) child.kill('SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  killRunning();
  removeHooks();
  // Our listener disabled the default action; restore it unless someone else handles the signal.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function removeHooks(): void {
  process.off('exit', killRunning);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function track(child: ChildProcess): void {
  if (running.size === 0) {
    process.on('exit', killRunning);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  running.add(child);
  child.once('exit', () => {
    if (running.delete(child) && running.size === 0) removeHooks();
  });
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Sends `signal` (the server's own clean-shutdown signal), then SIGKILL if it is still running after a while. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!exited(child)) {
    const exit = once(child, 'exit');
    child.kill(signal);
    if ((await withTimeout(exit, STOP_TIMEOUT_MS, { resolveWith: 'still running' as const })) === 'still running') {
      child.kill('SIGKILL');
      await exit;
    }
  }
}

export interface ServerChild {
  child: ChildProcess;
  /** The last few KiB of its output. */
  output(): string;
  /** Resolves once it exited and its output is drained. */
  outputComplete: Promise<unknown>;
}

/** Spawns a server binary, tracked so that it dies with this process; a missing binary is a clear error. */
export async function spawnServer(command: string, args: string[], options: SpawnOptions = {}): Promise<ServerChild> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const outputComplete = once(child, 'close'); // after 'exit', once the pipes are drained
  const spawned = await Promise.race([once(child, 'spawn').then(() => undefined), spawnError]);
  if (spawned !== undefined) {
    const name = command.split('/').pop();
    const missing = (spawned as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing ? `${name} is not installed (not found on PATH)` : `cannot start ${name}: ${spawned.message}`,
    );
  }
  track(child);
  return { child, output: () => tail.trim(), outputComplete };
}

const PORT_ATTEMPTS = 3;

/**
 * Polls `ping` (undefined: it answers) until the server is ready. 'port taken' when it exited
 * because another process took its port meanwhile (the caller retries on another); throws with
 * its output when it exited otherwise, or did not answer within timeoutMs (then it is stopped).
 */
export async function waitReady(
  server: ServerChild,
  what: string,
  ping: () => Promise<string | undefined>,
  timeoutMs: number,
  stopSignal?: NodeJS.Signals,
): Promise<'ready' | 'port taken'> {
  const { child, output } = server;
  const deadline = Date.now() + timeoutMs;
  let reason: string | undefined = 'not tried';
  while (Date.now() < deadline) {
    if (exited(child)) {
      await server.outputComplete;
      if (/address already in use/i.test(output())) return 'port taken';
      throw new Error(`${what} exited (code ${child.exitCode ?? child.signalCode}) before answering:\n${output()}`);
    }
    reason = await ping();
    if (reason === undefined) return 'ready';
    await sleep(50);
  }
  await stopChild(child, stopSignal);
  throw new Error(`${what} did not answer within the start timeout of ${timeoutMs} ms (${reason}):\n${output()}`);
}

/** Runs `start` on free ports until one is not taken by someone else before the server binds it. */
export async function onFreePort<T>(what: string, start: (port: number) => Promise<T | 'port taken'>): Promise<T> {
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    const result = await start(await freePort());
    if (result !== 'port taken') return result;
  }
  throw new Error(`${what} found its port taken ${PORT_ATTEMPTS} times in a row`);
}
