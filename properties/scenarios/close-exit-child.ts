// Run by the close-lets-process-exit scenario in a process of its own: loads the store module by
// its spec, opens it, sets, reads and destroys one session, closes it, says so on stdout and
// returns. Whatever the store left behind (a timer, a socket) decides whether the process exits.
import type { OpenContext } from '../../backends/contract.js';
import { loadBackend } from '../../backends/load-backend.js';
import { openRealStore } from '../../backends/stores/real-store.js';

export interface CloseExitRequest {
  spec: string;
  context: OpenContext;
  callTimeoutMs: number;
  openTimeoutMs: number;
  ttlMs: number;
}

const request = JSON.parse(process.argv[2]!) as CloseExitRequest;
const module = (await loadBackend(request.spec)).realStore;
if (module === undefined) throw new Error(`${request.spec} is not an express-session or Keyv module`);
const store = await openRealStore(module, request.context, {
  callTimeoutMs: request.callTimeoutMs,
  openTimeoutMs: request.openTimeoutMs,
});
const sid = `close-exit-${process.pid}`;
const calls = [
  await store.set(sid, { user: 'u' }, request.ttlMs),
  await store.get(sid),
  await store.destroy(sid),
  await store.close(),
];
process.stdout.write(`${JSON.stringify({ closed: calls.map((call) => call.status) })}\n`);
