// Runs backend operations in another process, for tests of what `shared` promises across processes.
// As a script: node --import tsx child-backend.ts '<json request>' prints one JSON line of results.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import type { BackendModule, OpenContext, Session, SessionBackend } from '../../backends/contract.js';
import { errorCode } from '../../backends/errors.js';

export type ChildOp =
  | { op: 'store'; session: Session; expectedVersion?: number }
  | { op: 'fetch'; id: string; now: number }
  | { op: 'delete'; id: string }
  | { op: 'list'; now: number }
  | { op: 'cleanupExpired'; now: number }
  /** Stores `${tag}${pid}`, then waits until `parties` such sessions exist: all children start together. */
  | { op: 'arrive'; tag: string; parties: number }
  /** `times` read-modify-writes of metadata.n by compare-and-set, retried on CONFLICT; gives the conflict count. */
  | { op: 'increment'; id: string; now: number; times: number }
  /** `times` touches (contract v2) at `now`, one after another; gives the last version. */
  | { op: 'touch'; id: string; now: number; times: number };

/** What one op gave: its value (undefined becomes null in JSON), or the code it threw. */
export type ChildResult = { value: unknown } | { error: string };

interface Request {
  moduleFile: string;
  context: OpenContext;
  ops: ChildOp[];
}

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '../..');

/** Opens `moduleFile`'s backend in a child process, runs `ops` in order, closes it. */
export function runInChild(moduleFile: string, context: OpenContext, ops: ChildOp[]): Promise<ChildResult[]> {
  const request: Request = { moduleFile, context, ops };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', SELF, JSON.stringify(request)],
      { cwd: ROOT, timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`child failed: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult[]);
      },
    );
  });
}

async function run(op: ChildOp, backend: SessionBackend): Promise<unknown> {
  switch (op.op) {
    case 'store':
      return backend.store(
        op.session,
        op.expectedVersion === undefined ? undefined : { expectedVersion: op.expectedVersion },
      );
    case 'fetch':
      return backend.fetch(op.id, op.now);
    case 'delete':
      return backend.delete(op.id);
    case 'list':
      return backend.list(op.now);
    case 'cleanupExpired':
      return backend.cleanupExpired(op.now);
    case 'arrive':
      return arrive(backend, op.tag, op.parties);
    case 'increment':
      return increment(backend, op.id, op.now, op.times);
    case 'touch':
      return touchTimes(backend, op.id, op.now, op.times);
  }
}

async function arrive(backend: SessionBackend, tag: string, parties: number): Promise<number> {
  await backend.store({
    id: `${tag}${process.pid}`,
    createdAt: 0,
    lastAccessedAt: 0,
    timeoutMs: null,
    version: 1,
    metadata: {},
  });
  const deadline = performance.now() + 20_000;
  for (;;) {
    const arrived = (await backend.list(0)).filter((id) => id.startsWith(tag)).length;
    if (arrived >= parties) return arrived;
    if (performance.now() > deadline) throw new Error(`only ${arrived} of ${parties} arrived`);
    // A yield, not a sleep: lets the event loop turn so reads see other processes' commits.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function increment(backend: SessionBackend, id: string, now: number, times: number): Promise<number> {
  let conflicts = 0;
  for (let done = 0; done < times;) {
    const current = await backend.fetch(id, now);
    if (current === undefined) throw new Error(`session ${id} is missing`);
    const next = { ...current, version: current.version + 1, metadata: { n: (current.metadata.n as number) + 1 } };
    try {
      await backend.store(next, { expectedVersion: current.version });
      done++;
    } catch (err) {
      if (errorCode(err) !== 'CONFLICT') throw err;
      conflicts++;
    }
  }
  return conflicts;
}

async function touchTimes(backend: SessionBackend, id: string, now: number, times: number): Promise<number> {
  if (backend.touch === undefined) throw new Error('the backend has no touch');
  let version = 0;
  for (let done = 0; done < times; done++) {
    const touched = await backend.touch(id, now, now);
    if (touched === undefined) throw new Error(`session ${id} is missing`);
    version = touched.version;
  }
  return version;
}

async function main(request: Request): Promise<void> {
  const module = (await import(pathToFileURL(request.moduleFile).href)).default as BackendModule;
  const backend = await module.open(request.context);
  const results: ChildResult[] = [];
  for (const op of request.ops) {
    try {
      results.push({ value: (await run(op, backend)) ?? null });
    } catch (err) {
      results.push({ error: errorCode(err) ?? String(err) });
    }
  }
  await backend.close();
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === SELF) {
  await main(JSON.parse(process.argv[2]!) as Request);
}

/**
 * Runs `op` in two child processes at once (both wait at a barrier first, so the calls really
 * overlap) and asserts that every call of both succeeded.
 */
export async function raceInTwoChildren(moduleFile: string, context: OpenContext, op: ChildOp): Promise<void> {
  const ops: ChildOp[] = [{ op: 'arrive', tag: 'ready-', parties: 2 }, op];
  const runs = await Promise.all([runInChild(moduleFile, context, ops), runInChild(moduleFile, context, ops)]);
  for (const results of runs) for (const r of results) assert.ok('value' in r, JSON.stringify(r));
}
