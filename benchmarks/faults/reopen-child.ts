// Opens damaged copies of a store, one after another, and prints what each gave: "start <i>",
// then "result <i> <json>". Run as a child so a native crash (lmdb-js on a damaged map, say)
// kills this process and is counted by the parent instead of taking it down.
// Usage: node --import tsx benchmarks/faults/reopen-child.ts '<ReopenRequest json>'
import type { Session } from '../../backends/contract.js';
import { errorCode } from '../../backends/errors.js';
import { loadFaultBackend } from './backends.js';

export interface ReopenRequest {
  backend: string;
  namespace: string;
  options: Record<string, unknown>;
  /** Directories holding one damaged copy each, by trial number. */
  trials: { trial: number; dir: string }[];
  ids: string[];
  now: number;
}

export type Outcome<T> = { value: T } | { code: string; message: string };

export type ReopenResult =
  | { opened: false; code: string; message: string }
  | { opened: true; list: Outcome<string[]>; fetched: { id: string; got: Outcome<Session | null> }[] };

async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { value: await call() };
  } catch (err) {
    return { code: errorCode(err) ?? 'none', message: String((err as Error)?.message ?? err) };
  }
}

async function reopen(request: ReopenRequest, dir: string): Promise<ReopenResult> {
  const module = await loadFaultBackend(request.backend);
  const opened = await attempt(() => module.open({ dir, namespace: request.namespace, options: request.options }));
  if (!('value' in opened)) return { opened: false, ...opened };
  const backend = opened.value;
  try {
    const list = await attempt(() => backend.list(request.now));
    const fetched: { id: string; got: Outcome<Session | null> }[] = [];
    for (const id of request.ids)
      fetched.push({ id, got: await attempt(async () => (await backend.fetch(id, request.now)) ?? null) });
    return { opened: true, list, fetched };
  } finally {
    await backend.close();
  }
}

const request = JSON.parse(process.argv[2] ?? '') as ReopenRequest;
for (const { trial, dir } of request.trials) {
  process.stdout.write(`start ${trial}\n`);
  process.stdout.write(`result ${trial} ${JSON.stringify(await reopen(request, dir))}\n`);
}
