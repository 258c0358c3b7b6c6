// Cleanups that must run however this process ends (servers it started, network namespaces it
// made): on 'exit', and on SIGINT/SIGTERM, after which the signal's default action is restored
// unless someone else (the CLI's teardown) handles it. Synchronous: nothing async runs at exit.

type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function runAll(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // the others still run; a failing cleanup has nobody left to report to
    }
  }
  removeHooks();
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  // Our listener disabled the default action; restore it unless someone else handles the signal.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function removeHooks(): void {
  process.off('exit', runAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Registers `cleanup` to run once if the process ends first; the returned function unregisters it. */
export function onProcessEnd(cleanup: Cleanup): () => void {
  if (cleanups.size === 0) {
    process.on('exit', runAll);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  cleanups.add(cleanup);
  return () => {
    if (cleanups.delete(cleanup) && cleanups.size === 0) removeHooks();
  };
}
