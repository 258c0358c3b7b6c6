// One of the two processes of the two-process history scenario: opens the shared store, waits for
// the other process at a barrier (a marker file each), runs its clients' load through the
// recorder, and prints its history as one JSON line, "history <events>".
// Usage: node --import tsx benchmarks/faults/history-child.ts '<HistoryChildRequest json>'
import fs from 'node:fs';
import path from 'node:path';
import { loadFaultBackend } from './backends.js';
import type { HistoryEvent } from './history.js';
import { runHistoryLoad } from './history-load.js';
import { recordHistory } from './record-history.js';

export interface HistoryChildRequest {
  backend: string;
  dir: string;
  namespace: string;
  options: Record<string, unknown>;
  /** This process's number (0 or 1) and how many take part. */
  index: number;
  processes: number;
  clients: number;
  ids: string[];
  opsPerClient: number;
  seed: number;
  /** Bound on the barrier and the load (Date.now()). */
  deadline: number;
}

/** A file per process in the store's dir, not a session: a faulty store must not keep the processes apart. */
async function barrier(request: HistoryChildRequest): Promise<void> {
  const marker = (i: number): string => path.join(request.dir, `${request.namespace}.ready-${i}`);
  fs.writeFileSync(marker(request.index), '');
  for (let i = 0; i < request.processes; i++) {
    while (!fs.existsSync(marker(i))) {
      if (Date.now() > request.deadline) throw new Error(`process ${i} never reached the barrier`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

const request = JSON.parse(process.argv[2] ?? '') as HistoryChildRequest;
const module = await loadFaultBackend(request.backend);
const backend = await module.open({ dir: request.dir, namespace: request.namespace, options: request.options });
const events: HistoryEvent[] = [];
try {
  await barrier(request);
  await Promise.all(
    Array.from({ length: request.clients }, (_, c) => {
      const client = `p${request.index}c${c}`;
      return runHistoryLoad(recordHistory(backend, client, events), {
        client,
        ids: request.ids,
        ops: request.opsPerClient,
        seed: request.seed + request.index * 1000 + c,
        deadline: request.deadline,
      });
    }),
  );
} finally {
  await backend.close();
}
process.stdout.write(`history ${JSON.stringify(events)}\n`);
