// How a store answers, beside what it answers: a miss as nothing and promptly, a dead server as
// an error, and every callback exactly once.
import { freePort } from '../../backends/servers/child-server.js';
import type { CallOutcome, RealStore } from '../../backends/stores/real-store.js';
import { concurrently, describeOutcome, type StoreScenario, sleep } from './define.js';

export const missingReadsNothing: StoreScenario = {
  id: 'missing-id-reads-nothing',
  statement: 'a missing id reads as nothing (null, undefined or ENOENT), promptly',
  severity: 'major',
  why: 'a hang stalls the request and a made-up {} crashes express-session, yet nothing stored is lost or leaked: major',
  applies: () => undefined,
  async run({ store, timing, sid }) {
    const reads = await concurrently(timing.trials, () => store.get(sid('missing')));
    const wrong = reads.filter((read) => read.status !== 'ok' || read.value !== undefined);
    const slowest = Math.max(...reads.map((read) => read.ms));
    return {
      passed: wrong.length === 0,
      figures: { trials: reads.length, anomalies: wrong.length, slowestCallMs: Math.round(slowest) },
      detail:
        `${wrong.length} of ${reads.length} reads of a missing id did not read as nothing` +
        (wrong.length > 0 ? ` (first: ${describeOutcome(wrong[0]!)})` : '') +
        `; slowest ${Math.round(slowest)} ms, bound ${timing.callTimeoutMs} ms`,
    };
  },
};

export const unreachableIsError: StoreScenario = {
  id: 'unreachable-server-is-error',
  statement: 'against an unreachable server, get, set and destroy fail: none answers as if it worked',
  severity: 'critical',
  why: 'a set acknowledged by a store that cannot reach its server is an acknowledged write lost: critical by DESIGN',
  applies: (_store, module) =>
    module.unreachableOptions === undefined
      ? `${module.name} declares no server to point elsewhere (the module has no unreachableOptions)`
      : undefined,
  async run({ module, timing, sid, open }) {
    const port = await freePort();
    let dead: RealStore;
    try {
      dead = await open(module.unreachableOptions!(port));
    } catch (error) {
      return {
        passed: true,
        figures: { trials: 1, anomalies: 0 },
        detail: `opening it against 127.0.0.1:${port}, where nothing listens, failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const id = sid('unreachable');
    const calls: [string, CallOutcome<unknown>][] = await Promise.all([
      dead.get(id).then((outcome) => ['get', outcome] as [string, CallOutcome<unknown>]),
      dead.set(id, { user: 'u' }, timing.ttlMs).then((outcome) => ['set', outcome] as [string, CallOutcome<unknown>]),
      dead.destroy(id).then((outcome) => ['destroy', outcome] as [string, CallOutcome<unknown>]),
    ]);
    const silent = calls.filter(([, outcome]) => outcome.status === 'ok');
    return {
      passed: silent.length === 0,
      figures: { trials: calls.length, anomalies: silent.length },
      detail: `against 127.0.0.1:${port}, where nothing listens: ${calls.map(([method, outcome]) => `${method} ${describeOutcome(outcome)}`).join('; ')}`,
    };
  },
};

export const callbacksOnce: StoreScenario = {
  id: 'callbacks-called-once',
  statement: 'every callback is called exactly once',
  severity: 'major',
  why: 'a second callback runs the request twice (headers sent twice) and a missing one hangs it; nothing stored is lost: major',
  applies: (store) =>
    store.kind === 'express-session'
      ? undefined
      : 'a Keyv instance answers by promise, which settles once; a call that never answers is the missing-id scenario',
  async run({ store, timing, sid }) {
    const id = sid('callbacks');
    const data = { user: 'u' };
    const calls: { name: string; has: boolean; call: () => Promise<CallOutcome<unknown>> }[] = [
      { name: 'set', has: true, call: () => store.set(id, data, timing.longTtlMs) },
      { name: 'get', has: true, call: () => store.get(id) },
      { name: 'get of a missing id', has: true, call: () => store.get(sid('callbacks-missing')) },
      { name: 'touch', has: store.has.touch, call: () => store.touch(id, data, timing.longTtlMs) },
      { name: 'all', has: store.has.all, call: () => store.all() },
      { name: 'length', has: store.has.length, call: () => store.length() },
      { name: 'destroy', has: true, call: () => store.destroy(id) },
    ].filter((c) => c.has);
    const unanswered: string[] = [];
    for (const { name, call } of calls) {
      if ((await call()).status === 'timeout') unanswered.push(name);
    }
    // A second callback may come a few turns later (a deferred retry, a stream's end): give it time.
    await sleep(timing.pollMs * 5);
    const repeated = store.extraCallbacks;
    return {
      passed: repeated.length + unanswered.length === 0,
      figures: { trials: calls.length, anomalies: repeated.length + unanswered.length },
      detail:
        `${calls.length} calls: ${repeated.length === 0 ? 'no callback called twice' : repeated.join(', ')}; ` +
        (unanswered.length === 0
          ? 'every call answered'
          : `no answer within ${timing.callTimeoutMs} ms from ${unanswered.join(', ')}`),
    };
  },
};
