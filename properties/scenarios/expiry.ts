// Expiry on the wall clock: when a session stops being served against the TTL it was given
// (voxpelli/node-connect-pg-simple#1 served expired sessions), and whether all/length still
// count the expired ones.
import type { RealStore } from '../../backends/stores/real-store.js';
import { concurrently, median, okValue, type StoreScenario, type StoreScenarioContext, sleep } from './define.js';

interface Sample {
  /** When the first get that found nothing was asked, against set time + TTL (ms); for a session never seen gone, the last ask. */
  deviationMs: number;
  /** Since the previous get, which still found it (ms). */
  gapMs: number;
  early: boolean;
  late: boolean;
}

export const expiryOnTime: StoreScenario = {
  id: 'expiry-within-tolerance',
  statement: 'a session expires within the declared tolerance of its TTL, neither early nor late',
  severity: 'major',
  why: 'early expiry logs a user out, late expiry serves a stale session; neither loses data: major by DESIGN',
  applies: () => undefined,
  async run({ store, timing, sid }) {
    const tolerance = timing.toleranceMs;
    const samples = await concurrently(timing.trials, async (trial): Promise<Sample> => {
      const id = sid('expiry');
      const issued = Date.now();
      const set = await store.set(id, { trial }, timing.ttlMs);
      okValue(set, 'set');
      // The store read its clock somewhere within the set call: its deadline lies in [earliest, latest].
      const earliest = issued + timing.ttlMs;
      const latest = earliest + Math.ceil(set.ms);
      let previous = issued;
      for (;;) {
        const asked = Date.now();
        const data = okValue(await store.get(id), 'get');
        // Early only when a get that had already answered "nothing" did so before earliest - tolerance;
        // late only when a get asked after latest + tolerance still found it: no verdict rests on timer jitter.
        const gapMs = asked - previous;
        if (data === undefined)
          return { deviationMs: asked - earliest, gapMs, early: Date.now() < earliest - tolerance, late: false };
        if (asked > latest + tolerance) return { deviationMs: asked - earliest, gapMs, early: false, late: true };
        previous = asked;
        await sleep(timing.pollMs);
      }
    });
    const deviations = samples.map((s) => s.deviationMs);
    const early = samples.filter((s) => s.early).length;
    const late = samples.filter((s) => s.late).length;
    const expiry = {
      toleranceMs: tolerance,
      minMs: Math.min(...deviations),
      medianMs: median(deviations),
      maxMs: Math.max(...deviations),
      samples: samples.length,
      resolutionMs: Math.max(...samples.map((s) => s.gapMs)),
    };
    return {
      passed: early + late === 0,
      figures: { trials: samples.length, anomalies: early + late, expiry },
      detail:
        `expiry at ${expiry.minMs} / ${expiry.medianMs} / ${expiry.maxMs} ms (min / median / max) from the ${timing.ttlMs} ms TTL, ` +
        `tolerance ±${tolerance} ms, sampled every ${timing.pollMs} ms (widest gap ${expiry.resolutionMs} ms); ${early} of ${samples.length} early` +
        `, ${late} still served beyond the tolerance${late > 0 ? ' (their figure is when the sampling stopped)' : ''}`,
    };
  },
};

function needsCount(store: RealStore): string | undefined {
  return store.has.all || store.has.length ? undefined : `${store.name} has neither all nor length`;
}

/** Stores `live` long-lived and as many short-lived sessions, waits out the short TTL, then counts. */
async function countAfterExpiry(
  { store, timing, sid }: Pick<StoreScenarioContext, 'store' | 'timing' | 'sid'>,
  live: number,
  count: (store: RealStore) => Promise<number>,
): Promise<number> {
  const sets = await concurrently(live * 2, (i) =>
    i < live
      ? store.set(sid('count-live'), { live: true, i }, timing.longTtlMs)
      : store.set(sid('count-expiring'), { live: false, i }, timing.ttlMs),
  );
  sets.forEach((set) => okValue(set, 'set'));
  await sleep(timing.ttlMs + timing.toleranceMs + timing.pollMs);
  return count(store);
}

export const countLeavesExpiredOut: StoreScenario = {
  id: 'all-length-leave-expired-out',
  statement: 'all and length leave expired sessions out',
  severity: 'major',
  why: 'expired sessions listed or counted is a wrong answer that loses nothing: major by DESIGN',
  applies: needsCount,
  async run({ store, timing, sid, open }) {
    const live = timing.trials;
    // Each method on an instance of its own: a store whose all prunes what it skips would
    // otherwise hide a length that counts expired entries (memorystore's all does, its length not).
    const lengthStore = store.has.all && store.has.length ? await open() : store;
    const [all, length] = await Promise.all([
      store.has.all
        ? countAfterExpiry({ store, timing, sid }, live, async (s) => okValue(await s.all(), 'all').length)
        : undefined,
      store.has.length
        ? countAfterExpiry({ store: lengthStore, timing, sid }, live, async (s) => okValue(await s.length(), 'length'))
        : undefined,
    ]);
    const wrong = [all, length].filter((count) => count !== undefined && count !== live).length;
    const said = [
      ...(all === undefined ? [] : [`all listed ${all}`]),
      ...(length === undefined ? [] : [`length said ${length}`]),
    ];
    return {
      passed: wrong === 0,
      figures: {
        trials: live * 2 * (all === undefined || length === undefined ? 1 : 2),
        anomalies: wrong,
        counted: { expected: live, ...(all === undefined ? {} : { all }), ...(length === undefined ? {} : { length }) },
      },
      detail: `${said.join(', ')}, where ${live} live sessions and ${live} expired ones were stored`,
    };
  },
};
