// The linearizability checker (benchmarks/faults/linearizability.ts): hand-written histories,
// linearizable or showing each anomaly kind with its smallest history; a budget too small gives
// 'unknown', never 'ok'; histories recorded from correct backends under concurrent clients are
// always ok; and two faulty zoo backends (one acknowledging before it writes, one reading from a
// stale per-instance cache), run by two instances on one SQLite file, are caught.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { BackendModule, Session } from '../backends/contract.js';
import memory from '../backends/memory.js';
import sqlite from '../backends/sqlite.js';
import type { HistoryCall, HistoryEvent, HistoryOutcome } from '../benchmarks/faults/history.js';
import { runHistoryLoad } from '../benchmarks/faults/history-load.js';
import { checkHistory, describeCheck } from '../benchmarks/faults/linearizability.js';
import { recordHistory } from '../benchmarks/faults/record-history.js';
import writeBehind from './faults-zoo/write-behind.js';
import { tempDir } from './helpers/tmp.js';
import staleReadCache from './zoo/stale-read-cache.js';

const NOW = 1000;

function session(version: number, metadata: Session['metadata'] = {}, lastAccessedAt = 0): Session {
  return { id: 'a', createdAt: 0, lastAccessedAt, timeoutMs: null, version, metadata };
}

const store = (s: Session, expectedVersion?: number): HistoryCall => ({
  f: 'store',
  id: 'a',
  session: s,
  expectedVersion,
});
const fetch: HistoryCall = { f: 'fetch', id: 'a', now: NOW };
const touch = (lastAccessedAt: number): HistoryCall => ({ f: 'touch', id: 'a', lastAccessedAt, now: NOW });
const del: HistoryCall = { f: 'delete', id: 'a' };
const ok = (value?: Session | boolean): HistoryOutcome => ({ type: 'ok', value });
const conflict: HistoryOutcome = { type: 'fail', code: 'CONFLICT' };
const timeout: HistoryOutcome = { type: 'info', error: 'UNAVAILABLE' };

function op(
  client: string,
  invokedAt: number,
  completedAt: number | null,
  call: HistoryCall,
  outcome: HistoryOutcome,
): HistoryEvent {
  return { client, call, invokedAt, completedAt, outcome };
}

const v1 = session(1, { n: 1 });
const v2 = session(2, { n: 2 });
const v2b = session(2, { n: 20 });

test('linearizable histories are ok: sequential, overlapping, ambiguous writes that did or did not land', () => {
  const histories: HistoryEvent[][] = [
    // Sequential: create, read, update by CAS, touch, delete, read nothing.
    [
      op('c1', 0, 1, store(v1, 0), ok()),
      op('c1', 2, 3, fetch, ok(v1)),
      op('c1', 4, 5, store(v2, 1), ok()),
      op('c1', 6, 7, touch(50), ok(session(3, { n: 2 }, 50))),
      op('c1', 8, 9, del, ok(true)),
      op('c1', 10, 11, fetch, ok(undefined)),
      op('c1', 12, 13, del, ok(false)),
    ],
    // A read overlapping a write sees the old value or the new one.
    [op('c1', 0, 1, store(v1, 0), ok()), op('c1', 10, 30, store(v2, 1), ok()), op('c2', 15, 25, fetch, ok(v1))],
    [op('c1', 0, 1, store(v1, 0), ok()), op('c1', 10, 30, store(v2, 1), ok()), op('c2', 15, 25, fetch, ok(v2))],
    // Two concurrent CAS from one version: one wins, the other gets CONFLICT.
    [
      op('c1', 0, 1, store(v1, 0), ok()),
      op('c1', 10, 20, store(v2, 1), ok()),
      op('c2', 11, 21, store(v2b, 1), conflict),
      op('c2', 30, 31, fetch, ok(v2)),
    ],
    // A CONFLICT explained by an overlapping write.
    [op('c1', 0, 10, store(v1, 0), ok()), op('c2', 5, 6, store(v1, 0), conflict)],
    // An ambiguous write that landed, seen later; one that did not, never seen; one never answered.
    [op('c1', 0, 1, store(v1, 0), ok()), op('c1', 10, 20, store(v2, 1), timeout), op('c2', 30, 31, fetch, ok(v2))],
    [op('c1', 0, 1, store(v1, 0), ok()), op('c1', 10, 20, store(v2, 1), timeout), op('c2', 30, 31, fetch, ok(v1))],
    [
      op('c1', 0, 1, store(v1, 0), ok()),
      op('c1', 10, null, store(v2, 1), timeout),
      op('c2', 30, 31, fetch, ok(v1)),
      op('c2', 40, 41, fetch, ok(v2)),
    ],
  ];
  for (const [i, history] of histories.entries()) {
    const summary = checkHistory(history);
    assert.equal(summary.ok, 1, `history ${i}: ${describeCheck(summary)} ${JSON.stringify(summary.anomalies)}`);
  }
});

test('each anomaly kind is reported with its smallest history', () => {
  const cases: { name: string; kind: string; history: HistoryEvent[]; minimal: number }[] = [
    {
      // v2 was acknowledged, then read as v1, then read as v2: served from the past.
      name: 'stale read',
      kind: 'stale-read',
      history: [
        op('c1', 0, 1, store(v1, 0), ok()),
        op('c1', 2, 3, store(v2, 1), ok()),
        op('c2', 4, 5, fetch, ok(v1)),
        op('c2', 6, 7, fetch, ok(v2)),
        op('c1', 8, 9, fetch, ok(v2)),
      ],
      minimal: 3,
    },
    {
      // v2 was acknowledged and is never read again.
      name: 'acknowledged write lost',
      kind: 'acknowledged-write-lost',
      history: [
        op('c1', 0, 1, store(v1, 0), ok()),
        op('c2', 1.5, 1.8, fetch, ok(v1)),
        op('c1', 2, 3, store(v2, 1), ok()),
        op('c2', 4, 5, fetch, ok(v1)),
        op('c1', 6, 7, fetch, ok(v1)),
      ],
      minimal: 3,
    },
    {
      // Two CAS from version 1, both acknowledged.
      name: 'lost update',
      kind: 'lost-update',
      history: [
        op('c1', 0, 1, store(v1, 0), ok()),
        op('c1', 2, 5, store(v2, 1), ok()),
        op('c2', 3, 6, store(v2b, 1), ok()),
        op('c2', 7, 8, fetch, ok(v2b)),
      ],
      minimal: 3,
    },
    {
      // A CONFLICT with nothing to conflict with.
      name: 'wrong conflict',
      kind: 'other',
      history: [op('c1', 0, 1, store(v1, 0), ok()), op('c1', 2, 3, store(v2, 1), conflict)],
      minimal: 2,
    },
  ];
  for (const c of cases) {
    const summary = checkHistory(c.history);
    assert.equal(summary.anomalous, 1, `${c.name}: ${describeCheck(summary)}`);
    const [anomaly] = summary.anomalies;
    assert.equal(anomaly!.kind, c.kind, `${c.name}: ${anomaly!.explanation}\n${anomaly!.lines.join('\n')}`);
    assert.equal(summary.kinds[anomaly!.kind], 1);
    assert.ok(anomaly!.minimal, `${c.name}: shrunk to the end`);
    assert.equal(anomaly!.history.length, c.minimal, `${c.name}:\n${anomaly!.lines.join('\n')}`);
    assert.equal(anomaly!.lines.length, c.minimal);
  }
});

test('a history too big for the budget is unknown, never ok', () => {
  // Many writes all overlapping, each ambiguous: a wide search.
  const history: HistoryEvent[] = [op('c0', 0, 1, store(v1, 0), ok())];
  for (let i = 0; i < 30; i++) history.push(op(`c${i}`, 2, null, store(session(2 + i, { i }), undefined), timeout));
  history.push(op('r', 100, 101, fetch, ok(session(99))));
  const summary = checkHistory(history, { maxStepsPerId: 50 });
  assert.equal(summary.unknown, 1, describeCheck(summary));
  assert.equal(summary.ok, 0);
  assert.deepEqual(summary.unknownIds, ['a']);
});

/** Clients on `instances` backends of one store, each through the recorder, at once; the merged history. */
async function recordConcurrentLoad(
  instances: Awaited<ReturnType<BackendModule['open']>>[],
  clients: number,
  ops: number,
  seed: number,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  const ids = ['a', 'b', 'c'];
  await Promise.all(
    Array.from({ length: clients }, (_, c) =>
      runHistoryLoad(recordHistory(instances[c % instances.length]!, `c${c}`, events), {
        client: `c${c}`,
        ids,
        ops,
        seed: seed + c,
      }),
    ),
  );
  return events;
}

test('histories of correct backends under concurrent clients are always ok, with ambiguous outcomes mixed in', async () => {
  const dir = tempDir('linearizability');
  try {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<BackendModule>(memory, sqlite),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 9 })),
        async (module, clients, seed, ambiguous) => {
          const context = { dir: dir.path, namespace: `run${run++}` };
          // Two instances on one SQLite file (memory can't share: one instance).
          const instances =
            module === sqlite ? [await module.open(context), await module.open(context)] : [await module.open(context)];
          try {
            const events = await recordConcurrentLoad(instances, clients, 40, seed);
            // Forgetting some answers (as a timeout would) must never make a history anomalous.
            const blurred = events.map((e) =>
              ambiguous.next().value === 0 ? { ...e, completedAt: null, outcome: timeout } : e,
            );
            for (const history of [events, blurred]) {
              const summary = checkHistory(history);
              assert.equal(
                summary.ok,
                summary.ids,
                `${describeCheck(summary)}\n${summary.anomalies.map((a) => a.lines.join('\n')).join('\n\n')}`,
              );
            }
          } finally {
            for (const instance of instances) await instance.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  } finally {
    dir.remove();
  }
});

// Shown able to fail: the same load on two instances of a faulty backend sharing one SQLite file.
for (const { module, kinds } of [
  { module: writeBehind, kinds: ['stale-read', 'acknowledged-write-lost', 'lost-update'] },
  { module: staleReadCache, kinds: ['stale-read', 'lost-update'] },
]) {
  test(`${module.name}: two instances on one store, the checker reports the anomaly`, async (t) => {
    const dir = tempDir(`linearizability-${module.name}`);
    try {
      const context = { dir: dir.path, namespace: 'ns' };
      const instances = [await module.open(context), await module.open(context)];
      let events: HistoryEvent[];
      try {
        events = await recordConcurrentLoad(instances, 4, 150, 7);
      } finally {
        for (const instance of instances) await instance.close();
      }
      const summary = checkHistory(events);
      t.diagnostic(describeCheck(summary));
      for (const anomaly of summary.anomalies.slice(0, 2)) {
        t.diagnostic(`${anomaly.kind} on ${anomaly.id}: ${anomaly.explanation}`);
        for (const line of anomaly.lines) t.diagnostic(`  ${line}`);
      }
      assert.ok(summary.anomalous > 0, describeCheck(summary));
      assert.equal(summary.ok + summary.anomalous + summary.unknown, summary.ids);
      for (const anomaly of summary.anomalies) {
        assert.ok(kinds.includes(anomaly.kind), `${anomaly.kind}: ${anomaly.explanation}\n${anomaly.lines.join('\n')}`);
        assert.ok(anomaly.history.length <= 6, `a small history:\n${anomaly.lines.join('\n')}`);
      }
    } finally {
      dir.remove();
    }
  });
}
