// The process the crash scenario SIGKILLs: opens the store, says "ready", then stores sessions
// in a loop (new ones, and new versions of earlier ones) and prints "ack <version> <id>" for each
// write the backend acknowledged. stdout to a pipe is synchronous on Linux, so a printed ack was
// acknowledged, and an ack lost to the kill only makes the parent expect less.
// Usage: node --import tsx benchmarks/faults/crash-child.ts '<CrashChildRequest json>'
import { loadFaultBackend } from './backends.js';
import { crashSession, type CrashChildRequest } from './crash-session.js';
import { mulberry32 } from '../random.js';

const request = JSON.parse(process.argv[2] ?? '') as CrashChildRequest;
const module = await loadFaultBackend(request.backend);
const backend = await module.open({ dir: request.dir, namespace: request.namespace, options: request.options });
const random = mulberry32(request.seed);
const versions: number[] = [];
process.stdout.write('ready\n');
for (;;) {
  // One write in four is a new version of an earlier session, so "changed" can show, not only "missing".
  const update = versions.length > 0 && random() < 0.25;
  const n = update ? Math.floor(random() * versions.length) : versions.length;
  const version = (versions[n] ?? 0) + 1;
  const id = `${request.prefix}-${n}`;
  await backend.store(crashSession(id, version));
  versions[n] = version;
  process.stdout.write(`ack ${version} ${id}\n`);
}
