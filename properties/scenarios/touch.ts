// The three ways a store's touch has lost or revived sessions in the field: a touch after expiry
// resetting the TTL (tj/connect-redis#251), a touch writing back the request's stale copy over a
// concurrent save (balor/connect-memcached#33, tj/connect-redis#285), and a touch recreating a
// session that a concurrent logout destroyed (jdesboeufs/connect-mongo#471, expressjs/session#632).
import type { RealStore } from '../../backends/stores/real-store.js';
import { concurrently, describeOutcome, okValue, type StoreScenario, sleep } from './define.js';

function needsTouch(store: RealStore): string | undefined {
  return store.has.touch ? undefined : `${store.name} has no touch method`;
}

export const touchAfterExpiry: StoreScenario = {
  id: 'touch-after-expiry',
  statement: 'a touch after a session expired never revives it',
  severity: 'critical',
  why: 'a revived session is alive after it expired: critical by DESIGN',
  applies: needsTouch,
  async run({ store, timing, sid }) {
    // Beside each touched session an untouched control of the same TTL: a control still alive
    // means the store is late (the expiry scenario's finding), not that the touch revived anything.
    const trials = await concurrently(timing.trials, async (trial) => {
      const touched = sid('touch-expired');
      const control = sid('touch-expired-control');
      const data = { trial, user: `user-${trial}` };
      const sets = await Promise.all([store.set(touched, data, timing.ttlMs), store.set(control, data, timing.ttlMs)]);
      sets.forEach((set) => okValue(set, 'set'));
      // By then the session is expired even for a store the full tolerance late.
      await sleep(timing.ttlMs + timing.toleranceMs + timing.pollMs);
      // A long TTL on the touch: a revived session stays visible however slow the next get is.
      const touch = await store.touch(touched, data, timing.longTtlMs);
      const [afterTouch, controlNow] = await Promise.all([store.get(touched), store.get(control)]);
      return {
        touch,
        revived: okValue(afterTouch, 'get after touch') !== undefined,
        late: okValue(controlNow, 'get of the control') !== undefined,
      };
    });
    const revived = trials.filter((t) => t.revived && !t.late).length;
    const late = trials.filter((t) => t.late).length;
    const touchErrors = trials.filter((t) => t.touch.status !== 'ok');
    return {
      passed: revived === 0,
      figures: { trials: trials.length, anomalies: revived },
      detail:
        `${revived} of ${trials.length} sessions revived by a touch ${timing.ttlMs + timing.toleranceMs + timing.pollMs} ms after set ` +
        `(TTL ${timing.ttlMs} ms, tolerance ${timing.toleranceMs} ms)` +
        (late > 0 ? `; ${late} untouched controls still alive (the store is late), those trials not judged` : '') +
        (touchErrors.length > 0 ? `; the touch answered ${describeOutcome(touchErrors[0]!.touch)}` : ''),
    };
  },
};

export const staleTouch: StoreScenario = {
  id: 'touch-keeps-concurrent-set',
  statement: 'a touch carrying a stale copy never overwrites a concurrent set',
  severity: 'critical',
  why: 'the overwritten set is an acknowledged write lost: critical by DESIGN',
  applies: needsTouch,
  async run({ store, timing, sid }) {
    // Two requests read {n: 0}; one saves {n: 1}, the other ends unchanged and touches with its
    // copy {n: 0}: while the save is in flight (overlapping) or after it was acknowledged (after).
    const races = await concurrently(timing.races, async (race) => {
      const id = sid('stale-touch');
      const mode = race % 2 === 0 ? 'overlapping' : 'after';
      okValue(await store.set(id, { n: 0, race }, timing.longTtlMs), 'first set');
      if (mode === 'overlapping') {
        const [set] = await Promise.all([
          store.set(id, { n: 1, race }, timing.longTtlMs),
          store.touch(id, { n: 0, race }, timing.longTtlMs),
        ]);
        okValue(set, 'concurrent set');
      } else {
        okValue(await store.set(id, { n: 1, race }, timing.longTtlMs), 'second set');
        await store.touch(id, { n: 0, race }, timing.longTtlMs);
      }
      const now = okValue(await store.get(id), 'get after the race');
      return { mode, outcome: now === undefined ? 'gone' : now.n === 1 ? 'kept' : 'overwritten' };
    });
    const lost = races.filter((r) => r.outcome !== 'kept');
    const count = (mode: string) => lost.filter((r) => r.mode === mode).length;
    return {
      passed: lost.length === 0,
      figures: { trials: races.length, anomalies: lost.length },
      detail:
        `${lost.length} of ${races.length} races lost the acknowledged set ` +
        `(${lost.filter((r) => r.outcome === 'overwritten').length} overwritten by the stale copy, ` +
        `${lost.filter((r) => r.outcome === 'gone').length} gone; ${count('overlapping')} with the touch overlapping the set, ` +
        `${count('after')} with the touch after it)`,
    };
  },
};

/** The orders a destroy and a touch of one session can take; `after` is expressjs/session#632's. */
const DESTROY_ORDERS = ['touch-then-destroy', 'destroy-then-touch', 'after'] as const;

export const destroyBeatsTouch: StoreScenario = {
  id: 'destroy-wins-over-touch',
  statement: 'a destroy wins over a concurrent touch: the session stays destroyed',
  severity: 'critical',
  why: 'a destroyed session alive again (a logout undone) is critical by DESIGN',
  applies: needsTouch,
  async run({ store, timing, sid }) {
    const races = await concurrently(timing.races, async (race) => {
      const id = sid('destroy-touch');
      const order = DESTROY_ORDERS[race % DESTROY_ORDERS.length]!;
      const data = { race, user: `user-${race}` };
      okValue(await store.set(id, data, timing.longTtlMs), 'set');
      if (order === 'touch-then-destroy') {
        const [, destroy] = await Promise.all([store.touch(id, data, timing.longTtlMs), store.destroy(id)]);
        okValue(destroy, 'destroy');
      } else if (order === 'destroy-then-touch') {
        const [destroy] = await Promise.all([store.destroy(id), store.touch(id, data, timing.longTtlMs)]);
        okValue(destroy, 'destroy');
      } else {
        okValue(await store.destroy(id), 'destroy');
        await store.touch(id, data, timing.longTtlMs);
      }
      return { order, alive: okValue(await store.get(id), 'get after the race') !== undefined };
    });
    const alive = races.filter((r) => r.alive);
    return {
      passed: alive.length === 0,
      figures: { trials: races.length, anomalies: alive.length },
      detail:
        `${alive.length} of ${races.length} destroyed sessions alive after a touch (` +
        DESTROY_ORDERS.map((order) => `${order}: ${alive.filter((r) => r.order === order).length}`).join(', ') +
        ')',
    };
  },
};
