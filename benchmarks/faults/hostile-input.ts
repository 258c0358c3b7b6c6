// Hostile input, fuzzed: malformed sessions, ids, `now`s, store options and open options each get
// a SessionError with the right code and change nothing stored (the whole store is compared
// before and after); ids and namespaces built against the stores' key schemes (Redis globs and
// hash tags, SQL quotes and LIKE wildcards, path separators, NUL, lone surrogates, 256-character
// ids) never read or touch another session. The generators are the suite's (properties/arbitraries/).
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import type { BackendModule, Session, SessionBackend } from '../../backends/contract.js';
import {
  badIdArb,
  badNowArb,
  badStoreOptionsArb,
  labelled,
  malformedSessionArb,
  sessionArb,
  similarIds,
} from '../../properties/arbitraries/index.js';
import { expectCode } from '../../backends/outcome.js';

export interface HostileOptions {
  module: BackendModule;
  cases: number;
  /** Directory for file backends. */
  dir: string;
  openOptions?: Record<string, unknown>;
  seed?: number;
}

export interface HostileResult {
  backend: string;
  cases: number;
  /** Failed checks: 0, or 1 with the shrunk counterexample (fast-check stops at the first). */
  failures: number;
  seed: number;
  failure?: string;
}

const NOW = 1_700_000_000_000;

/** Ids aimed at each store's key scheme, stored before every case: the sessions an attack must not reach. */
export const VICTIM_IDS: readonly string[] = [
  'victim',
  'a',
  '*',
  '?',
  '[a]',
  '{victim}',
  '%',
  '_',
  "'",
  '"',
  '/',
  '\\',
  '..',
  '\0',
  '\ud800',
  ':',
  'sb:{x}:s:victim',
  'x'.repeat(256),
];

/** Ids that a glob, LIKE pattern, hash tag, path or encoding confusion would turn into a victim's key. */
export const ATTACK_IDS: readonly string[] = [
  'vict*',
  'v*',
  '*victim*',
  'vict?m',
  '[v]ictim',
  'victi[m]',
  '[^a]',
  '\\*',
  '\\?',
  '**',
  '{victim}x',
  'x{victim}',
  '{}',
  '{',
  ':victim',
  'victim:',
  'sb:*',
  'sb:{x}:s:*',
  "victim'",
  "' OR '1'='1",
  "victim'--",
  '""',
  'vic%',
  'victi_',
  '%%',
  '_ictim',
  '%victim%',
  '../victim',
  './victim',
  'victim/..',
  '/victim',
  '\\victim',
  'victim/',
  '../../etc/passwd',
  'victim\0',
  '\0victim',
  '\0\0',
  '\ud800victim',
  'victim\udc00',
  '\udc00',
  '\ud800\udc00',
  '\ufffd',
  '"victim"',
  'Victim',
  'VICTIM',
  'victim ',
  ' victim',
  'x'.repeat(255),
  `${'x'.repeat(255)}*`,
  `${'x'.repeat(255)}?`,
  `${'x'.repeat(255)}%`,
  'X'.repeat(256),
  `${'x'.repeat(255)}\ud800`,
];

/** Namespaces that collide under a careless key scheme; each instance must see only its own sessions. */
export const HOSTILE_NAMESPACES: readonly string[] = [
  'ns',
  'ns*',
  'n?',
  '{ns}',
  'ns:',
  'ns:s',
  "ns'",
  'ns%',
  'n_',
  'ns/..',
  'ns\0',
  'ns\ud800',
];

/** Open options each reference backend must refuse with INVALID_SESSION, by backend (before `+aes`). */
const BAD_OPEN_OPTIONS: Record<string, Record<string, unknown>[]> = {
  '*': [
    { maxSessionBytes: 0 },
    { maxSessionBytes: -1 },
    { maxSessionBytes: 1.5 },
    { maxSessionBytes: '1024' },
    { maxSessionBytes: NaN },
    { maxSessionBytes: null },
    { maxSessionBytes: 2 ** 53 },
  ],
  sqlite: [{ durability: 'fast' }, { durability: 1 }, { integrityCheck: 'yes' }, { busyTimeoutMs: -5 }],
  lmdb: [{ durability: 'FULL' }, { durability: true }, { integrityCheck: 'yes' }],
  redis: [
    { url: 5 },
    { url: 'http://127.0.0.1:6379' },
    { commandTimeoutMs: 0 },
    { connectTimeoutMs: 'x' },
    { cleanupBatch: -1 },
  ],
  'redis-cluster': [
    { nodes: 5 },
    { nodes: [6379] },
    { nodes: ['127.0.0.1'] },
    { nodes: ['127.0.0.1:0'] },
    { nodes: 'x:70000' },
    { replicas: -1 },
    { replicas: 0.5 },
    { replicas: '1' },
    { replicaTimeoutMs: 0 },
    { commandTimeoutMs: -1 },
    { cleanupBatch: 0 },
  ],
  aes: [{ encryptionKey: 'short' }, { encryptionKey: 'zz'.repeat(32) }, { encryptionKey: 42 }],
};

function badOpenOptions(name: string): Record<string, unknown>[] {
  const [base, wrapper] = name.split('+');
  return [
    ...BAD_OPEN_OPTIONS['*']!,
    ...(BAD_OPEN_OPTIONS[base!] ?? []),
    ...(wrapper === 'aes' ? BAD_OPEN_OPTIONS.aes! : []),
  ];
}

function victim(id: string, n: number): Session {
  return {
    id,
    createdAt: NOW - n,
    lastAccessedAt: NOW,
    timeoutMs: n % 2 === 0 ? null : 3_600_000,
    version: 1 + n,
    metadata: { victim: id, n },
  };
}

/** Everything the store holds that a case could have changed: list, and every victim and attacker id. */
async function snapshot(backend: SessionBackend): Promise<unknown> {
  const ids = [...VICTIM_IDS, ...ATTACK_IDS];
  const [list, ...sessions] = await Promise.all([backend.list(NOW), ...ids.map((id) => backend.fetch(id, NOW))]);
  return { list: [...list].sort(), sessions: sessions.map((s, i) => [ids[i], s ?? null]) };
}

type Case = (
  backend: SessionBackend,
  context: { module: BackendModule; dir: string; namespace: string; openOptions: Record<string, unknown> },
) => Promise<void>;

function hostileCase(label: string, run: Case): { label: string; run: Case } {
  return labelled({ label, run }, label);
}

const target = sessionArb();

function caseArb(name: string): fc.Arbitrary<{ label: string; run: Case }> {
  const attacker = fc.oneof(
    fc.constantFrom(...ATTACK_IDS),
    similarIds(4).map((group) => group[group.length - 1]!.id),
  );
  return fc.oneof(
    fc
      .tuple(malformedSessionArb, target, fc.constantFrom(...VICTIM_IDS), fc.boolean())
      .map(([m, s, id, cas]) =>
        hostileCase(`store${cas ? ' (CAS)' : ''} over ${JSON.stringify(id)}: ${m.what}`, (b) =>
          expectCode(
            () =>
              b.store(
                m.make({ ...s, id }) as Session,
                cas ? { expectedVersion: 1 + VICTIM_IDS.indexOf(id) } : undefined,
              ),
            m.code,
            m.what,
          ),
        ),
      ),
    fc
      .tuple(badStoreOptionsArb, target, fc.constantFrom(...VICTIM_IDS))
      .map(([o, s, id]) =>
        hostileCase(`store over ${JSON.stringify(id)} with options ${o.what}`, (b) =>
          expectCode(() => b.store({ ...s, id }, o.make() as never), 'INVALID_SESSION', o.what),
        ),
      ),
    badIdArb.map((id) =>
      hostileCase(`fetch id ${id.what}`, (b) =>
        expectCode(() => b.fetch(id.make() as string, NOW), 'INVALID_ID', id.what),
      ),
    ),
    badIdArb.map((id) =>
      hostileCase(`delete id ${id.what}`, (b) =>
        expectCode(() => b.delete(id.make() as string), 'INVALID_ID', id.what),
      ),
    ),
    fc
      .tuple(badNowArb, fc.constantFrom(...VICTIM_IDS))
      .map(([now, id]) =>
        hostileCase(`fetch ${JSON.stringify(id)} at now ${now.what}`, (b) =>
          expectCode(() => b.fetch(id, now.make() as number), 'INVALID_SESSION', now.what),
        ),
      ),
    badNowArb.map((now) =>
      hostileCase(`list at now ${now.what}`, (b) =>
        expectCode(() => b.list(now.make() as number), 'INVALID_SESSION', now.what),
      ),
    ),
    badNowArb.map((now) =>
      hostileCase(`cleanupExpired at now ${now.what}`, (b) =>
        expectCode(() => b.cleanupExpired(now.make() as number), 'INVALID_SESSION', now.what),
      ),
    ),
    fc.constantFrom(...badOpenOptions(name)).map((bad) =>
      hostileCase(`open with ${JSON.stringify(bad)}`, (_b, c) =>
        expectCode(
          async () => {
            // Should it open after all, close it so the failure is reported and nothing leaks.
            const opened = await c.module.open({
              dir: c.dir,
              namespace: c.namespace,
              options: { ...c.openOptions, ...bad },
            });
            await opened.close();
          },
          'INVALID_SESSION',
          `open with ${JSON.stringify(bad)}`,
        ),
      ),
    ),
    fc.tuple(attacker, target).map(([id, s]) =>
      hostileCase(`attacker id ${JSON.stringify(id)}`, async (b) => {
        if (VICTIM_IDS.includes(id)) return;
        if ((await b.fetch(id, NOW)) !== undefined)
          throw new Error(`fetch ${JSON.stringify(id)} found a session it never stored`);
        if (await b.delete(id)) throw new Error(`delete ${JSON.stringify(id)} deleted something it never stored`);
        const mine = { ...s, id, lastAccessedAt: NOW, createdAt: Math.min(s.createdAt, NOW), timeoutMs: null };
        await b.store(mine);
        const back = await b.fetch(id, NOW);
        if (!isDeepStrictEqual(back, mine)) throw new Error(`${JSON.stringify(id)} read back ${JSON.stringify(back)}`);
        if (!(await b.delete(id))) throw new Error(`delete ${JSON.stringify(id)} did not find what it stored`);
      }),
    ),
  );
}

/** Two instances on hostile namespaces that look alike: each sees, cleans and deletes only its own. */
async function checkNamespaces(
  module: BackendModule,
  dir: string,
  base: string,
  openOptions: Record<string, unknown>,
): Promise<string | undefined> {
  const backends = await Promise.all(
    HOSTILE_NAMESPACES.map((ns) => module.open({ dir, namespace: `${base}${ns}`, options: openOptions })),
  );
  try {
    const expired = (i: number): Session => ({
      id: 'same',
      createdAt: 0,
      lastAccessedAt: 0,
      timeoutMs: 100 + i,
      version: 1 + i,
      metadata: { ns: i },
    });
    await Promise.all(backends.map((b, i) => b.store(expired(i))));
    for (const [i, b] of backends.entries()) {
      const got = await b.fetch('same', 0);
      if (!isDeepStrictEqual(got, expired(i)))
        return `namespace ${JSON.stringify(HOSTILE_NAMESPACES[i])} read ${JSON.stringify(got)}`;
    }
    // The first one's cleanup must remove its own expired session only.
    const removed = await backends[0]!.cleanupExpired(NOW);
    if (removed !== 1) return `cleanupExpired in ${JSON.stringify(HOSTILE_NAMESPACES[0])} removed ${removed}, not 1`;
    for (const [i, b] of backends.entries()) {
      const ids = await b.list(0);
      if (!isDeepStrictEqual(ids, i === 0 ? [] : ['same']))
        return `namespace ${JSON.stringify(HOSTILE_NAMESPACES[i])} lists ${JSON.stringify(ids)}`;
    }
    for (const [i, b] of backends.entries())
      if (i > 0 && !(await b.delete('same')))
        return `namespace ${JSON.stringify(HOSTILE_NAMESPACES[i])} lost its session`;
    return undefined;
  } finally {
    await Promise.all(backends.map((b) => b.close()));
  }
}

export async function runHostileInput(options: HostileOptions): Promise<HostileResult> {
  const { module, dir } = options;
  const openOptions = options.openOptions ?? {};
  const seed = options.seed ?? 1;
  // Unique per run, so a shared Redis never mixes two runs; every key is deleted at the end.
  const namespace = `sb-hostile-${process.pid}-${Date.now().toString(36)}-`;
  const result: HostileResult = { backend: module.name, cases: options.cases, failures: 0, seed };
  const backend = await module.open({ dir, namespace, options: openOptions });
  try {
    await Promise.all(VICTIM_IDS.map((id, n) => backend.store(victim(id, n))));
    const before = await snapshot(backend);
    const context = { module, dir, namespace, openOptions };
    const check = await fc.check(
      fc.asyncProperty(caseArb(module.name), async (hostile) => {
        await hostile.run(backend, context);
        const after = await snapshot(backend);
        if (!isDeepStrictEqual(after, before)) throw new Error(`the store changed after: ${hostile.label}`);
      }),
      { numRuns: options.cases, seed },
    );
    if (check.failed) {
      result.failures = 1;
      // What broke first (fast-check's report names only the case), without the stack.
      const error = check.errorInstance;
      result.failure = `${error instanceof Error ? error.message : String(error)}\n${fc.defaultReportMessage(check)}`;
    }
    const namespaces = await checkNamespaces(module, dir, namespace, openOptions);
    if (namespaces !== undefined) {
      result.failures++;
      result.failure = `${result.failure ?? ''}\nnamespaces: ${namespaces}`.trim();
    }
  } finally {
    await Promise.all(VICTIM_IDS.map((id) => backend.delete(id).catch(() => false)));
    await backend.close();
  }
  return result;
}
