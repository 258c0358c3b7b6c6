// Runs backend operations in another process, for tests of what `shared` promises across processes.
// As a script: node --import tsx child-backend.ts '<json request>' prints one JSON line of results.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BackendModule, OpenContext, Session } from '../../backends/contract.js';
import { errorCode } from '../../backends/errors.js';

export type ChildOp =
  | { op: 'store'; session: Session; expectedVersion?: number }
  | { op: 'fetch'; id: string; now: number }
  | { op: 'delete'; id: string }
  | { op: 'list'; now: number }
  | { op: 'cleanupExpired'; now: number };

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

async function run(op: ChildOp, backend: Awaited<ReturnType<BackendModule['open']>>): Promise<unknown> {
  switch (op.op) {
    case 'store':
      return backend.store(op.session, op.expectedVersion === undefined ? undefined : { expectedVersion: op.expectedVersion });
    case 'fetch':
      return backend.fetch(op.id, op.now);
    case 'delete':
      return backend.delete(op.id);
    case 'list':
      return backend.list(op.now);
    case 'cleanupExpired':
      return backend.cleanupExpired(op.now);
  }
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
