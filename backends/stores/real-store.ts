// One promise-style face over an express-session Store or a Keyv instance, for the blob adapter
// and the wall-clock scenarios alike. Every call is bounded by a timeout and tells how it ended
// (a timeout is an outcome, not an exception), and a callback called more than once is counted,
// never allowed to crash the run.
import type { ExpressSessionModule, Json, KeyvModule, OpenContext, RealStoreModule } from '../contract.js';
import { SetupError } from '../setup-error.js';
import { withTimeout } from '../timeout.js';

/** How one call ended; `ms` is its wall-clock duration. */
export type CallOutcome<T> =
  | { status: 'ok'; value: T; ms: number }
  | { status: 'error'; error: unknown; ms: number }
  | { status: 'timeout'; ms: number };

/** What a session holds in such a store: the app's own fields; the cookie is the store's concern. */
export type SessionData = { [key: string]: Json };

export interface RealStore {
  readonly kind: RealStoreModule['kind'];
  readonly name: string;
  /**
   * The optional methods the instance has. A Keyv instance has neither touch nor length; its all
   * is Keyv's own iterator, where its storage adapter has one (the in-memory Map and @keyv/redis do).
   */
  readonly has: { touch: boolean; all: boolean; length: boolean; clear: boolean };
  /** The session's data, or undefined when the store has none (null, undefined or express-session's ENOENT). */
  get(sid: string): Promise<CallOutcome<SessionData | undefined>>;
  /** Stores `data` to expire `ttlMs` from now (express-session: the cookie's maxAge and expires). */
  set(sid: string, data: SessionData, ttlMs: number): Promise<CallOutcome<void>>;
  /** express-session's touch with `data` as the (possibly stale) copy the request holds. */
  touch(sid: string, data: SessionData, ttlMs: number): Promise<CallOutcome<void>>;
  destroy(sid: string): Promise<CallOutcome<void>>;
  /** The data of every session the store lists. */
  all(): Promise<CallOutcome<SessionData[]>>;
  length(): Promise<CallOutcome<number>>;
  clear(): Promise<CallOutcome<void>>;
  /** Callbacks called more than once so far, by method name ("get called back 2 times"). */
  readonly extraCallbacks: readonly string[];
  /** Releases the instance through the module's close (clients, timers), bounded by a timeout. */
  close(): Promise<CallOutcome<void>>;
}

/**
 * Bounds each call when the caller names no bound. A whole-store all() over the benchmark's 10k
 * sessions took 2-4 s on a loaded 2-core machine (and 5 s cut it off), so this is generous; a
 * store that hangs still ends within the suite's per-property limit.
 */
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

type Callback = (error?: unknown, value?: unknown) => void;
type Instance = Record<string, unknown>;
type Settled = { status: 'ok'; value: unknown } | { status: 'error'; error: unknown };

/** Counts the callbacks of every call made through one RealStore, so a second call of one is reported, not lost. */
class CallbackLedger {
  private readonly repeated: { method: string; calls: number }[] = [];

  get extraCallbacks(): readonly string[] {
    return this.repeated.map(({ method, calls }) => `${method} called back ${calls} times`);
  }

  /** A callback for one call of `method`: the first call settles it, each later one is counted (even after a timeout). */
  callback(method: string, settle: (settled: Settled) => void): Callback {
    let calls = 0;
    let record: { method: string; calls: number } | undefined;
    return (error?: unknown, value?: unknown) => {
      calls += 1;
      if (calls === 1) {
        settle(error === undefined || error === null ? { status: 'ok', value } : { status: 'error', error });
        return;
      }
      if (record === undefined) {
        record = { method, calls };
        this.repeated.push(record);
      }
      record.calls = calls;
    };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs one call of a store method that may answer through a callback, a returned promise, or
 * both (connect-redis 9 does both: it calls the callback, then resolves to its return value). The
 * first answer wins; only callbacks are counted as repeated, since a promise settling after its
 * own callback is the store's normal double face. A synchronous throw is an error outcome.
 */
async function bounded(
  ledger: CallbackLedger,
  method: string,
  timeoutMs: number,
  invoke: (callback: Callback) => unknown,
): Promise<CallOutcome<unknown>> {
  const started = performance.now();
  const answer = new Promise<Settled>((resolve) => {
    const callback = ledger.callback(method, resolve);
    try {
      const returned = invoke(callback);
      if (isThenable(returned)) {
        returned.then(
          (value) => resolve({ status: 'ok', value }),
          (error: unknown) => resolve({ status: 'error', error }),
        );
      }
    } catch (error) {
      resolve({ status: 'error', error });
    }
  });
  const settled = await withTimeout(answer, timeoutMs, { resolveWith: undefined });
  const ms = performance.now() - started;
  return settled === undefined ? { status: 'timeout', ms } : { ...settled, ms };
}

/** Replaces an ok outcome's value; error and timeout outcomes pass through. */
function mapOk<T>(outcome: CallOutcome<unknown>, map: (value: unknown) => T): CallOutcome<T> {
  return outcome.status === 'ok' ? { status: 'ok', value: map(outcome.value), ms: outcome.ms } : outcome;
}

function missing(name: string, method: string): CallOutcome<never> {
  return { status: 'error', error: new Error(`${name} has no ${method}`), ms: 0 };
}

/**
 * The session object express-session hands its store: the app's fields beside a `cookie` shaped
 * as express-session's Cookie serialises (originalMaxAge, expires) plus the `maxAge` getter a live
 * Cookie has. memorystore reads cookie.maxAge, connect-redis and connect-pg-simple read
 * cookie.expires, so each store derives its TTL exactly as it does in an app.
 */
function sessionObject(data: SessionData, ttlMs: number): Record<string, unknown> {
  const { cookie: _ignored, ...fields } = data;
  return {
    ...fields,
    cookie: {
      originalMaxAge: ttlMs,
      maxAge: ttlMs,
      expires: new Date(Date.now() + ttlMs),
      path: '/',
      httpOnly: true,
    },
  };
}

/** A stored session object without its cookie; anything that is not an object is passed on for the caller to judge. */
function withoutCookie(sess: unknown): SessionData {
  if (typeof sess !== 'object' || sess === null || Array.isArray(sess)) return sess as SessionData;
  const { cookie: _ignored, ...data } = sess as Record<string, Json>;
  return data;
}

function isNoSession(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

function requireMethods(module: RealStoreModule, instance: unknown, methods: readonly string[]): Instance {
  if (typeof instance !== 'object' || instance === null) {
    throw new SetupError(
      `${module.name}: open() resolved to ${instance === null ? 'null' : typeof instance}, not a store`,
    );
  }
  const absent = methods.filter((method) => typeof (instance as Instance)[method] !== 'function');
  if (absent.length > 0) {
    throw new SetupError(`${module.name}: the store open() returned has no ${absent.join(', ')} method`);
  }
  return instance as Instance;
}

function has(instance: Instance, method: string): boolean {
  return typeof instance[method] === 'function';
}

/** Calls `instance[method](...args)` as a method, so `this` is the store. */
function call(instance: Instance, method: string, ...args: unknown[]): unknown {
  return (instance[method] as (...a: unknown[]) => unknown).apply(instance, args);
}

function expressSessionStore(
  module: ExpressSessionModule,
  instance: Instance,
  timeoutMs: number,
  close: () => Promise<CallOutcome<void>>,
): RealStore {
  const ledger = new CallbackLedger();
  const run = (method: string, ...args: unknown[]) =>
    bounded(ledger, method, timeoutMs, (callback) => call(instance, method, ...args, callback));
  const optional = { touch: has(instance, 'touch'), all: has(instance, 'all'), length: has(instance, 'length') };
  return {
    kind: 'express-session',
    name: module.name,
    has: { ...optional, clear: has(instance, 'clear') },
    get extraCallbacks() {
      return ledger.extraCallbacks;
    },
    async get(sid) {
      const outcome = await run('get', sid);
      if (outcome.status === 'error' && isNoSession(outcome.error)) {
        return { status: 'ok', value: undefined, ms: outcome.ms };
      }
      return mapOk(outcome, (sess) => (sess === null || sess === undefined ? undefined : withoutCookie(sess)));
    },
    async set(sid, data, ttlMs) {
      return mapOk(await run('set', sid, sessionObject(data, ttlMs)), () => undefined);
    },
    async touch(sid, data, ttlMs) {
      if (!optional.touch) return missing(module.name, 'touch');
      return mapOk(await run('touch', sid, sessionObject(data, ttlMs)), () => undefined);
    },
    async destroy(sid) {
      return mapOk(await run('destroy', sid), () => undefined);
    },
    async all() {
      if (!optional.all) return missing(module.name, 'all');
      // express-session's MemoryStore answers an object keyed by sid, connect-redis an array.
      return mapOk(await run('all'), (sessions) =>
        sessions === null || sessions === undefined
          ? []
          : (Array.isArray(sessions) ? sessions : Object.values(sessions as object)).map(withoutCookie),
      );
    },
    async length() {
      if (!optional.length) return missing(module.name, 'length');
      return mapOk(await run('length'), (count) => count as number);
    },
    async clear() {
      if (!has(instance, 'clear')) return missing(module.name, 'clear');
      return mapOk(await run('clear'), () => undefined);
    },
    close,
  };
}

/** The values of Keyv's iterator, which yields [key, value] pairs. */
async function collect(entries: AsyncIterable<unknown>): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const entry of entries) values.push((entry as [string, unknown])[1]);
  return values;
}

function keyvStore(
  module: KeyvModule,
  instance: Instance,
  timeoutMs: number,
  close: () => Promise<CallOutcome<void>>,
): RealStore {
  // Keyv answers through promises only; the ledger stays empty, but one code path bounds every call.
  const ledger = new CallbackLedger();
  const run = (method: string, ...args: unknown[]) =>
    bounded(ledger, method, timeoutMs, () => call(instance, method, ...args));
  const iterates = has(instance, 'iterator');
  return {
    kind: 'keyv',
    name: module.name,
    has: { touch: false, all: iterates, length: false, clear: true },
    get extraCallbacks() {
      return ledger.extraCallbacks;
    },
    async get(sid) {
      return mapOk(await run('get', sid), (value) => (value === null ? undefined : (value as SessionData | undefined)));
    },
    async set(sid, data, ttlMs) {
      const outcome = await run('set', sid, data, ttlMs);
      // Keyv 5 reports a store failure it swallowed (no throwOnErrors) as set() resolving to false.
      if (outcome.status === 'ok' && outcome.value === false) {
        return { status: 'error', error: new Error(`${module.name}: set answered false`), ms: outcome.ms };
      }
      return mapOk(outcome, () => undefined);
    },
    async touch() {
      return missing(module.name, 'touch');
    },
    async destroy(sid) {
      return mapOk(await run('delete', sid), () => undefined);
    },
    async all() {
      if (!iterates) return missing(module.name, 'all (an iterator)');
      return mapOk(
        await bounded(ledger, 'iterator', timeoutMs, () =>
          collect(call(instance, 'iterator') as AsyncIterable<unknown>),
        ),
        (values) => values as SessionData[],
      );
    },
    async length() {
      return missing(module.name, 'length');
    },
    async clear() {
      return mapOk(await run('clear'), () => undefined);
    },
    close,
  };
}

/**
 * Opens `module` and wraps the instance it resolves to. Fails with a SetupError when the open
 * fails, takes longer than openTimeoutMs (default: the call timeout), or yields something without
 * the kind's methods (that store is then released through the module's close).
 */
export async function openRealStore(
  module: RealStoreModule,
  context: OpenContext,
  options: { callTimeoutMs?: number; openTimeoutMs?: number } = {},
): Promise<RealStore> {
  const timeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  // An open may import the store's package first (redis 5 took 4-5 s on a loaded machine).
  const openTimeoutMs = options.openTimeoutMs ?? timeoutMs;
  let instance: unknown;
  try {
    instance = await withTimeout(module.open(context), openTimeoutMs, `open did not settle within ${openTimeoutMs} ms`);
  } catch (error) {
    if (error instanceof SetupError) throw error;
    throw new SetupError(`${module.name}: open failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const release = async (): Promise<CallOutcome<void>> => {
    const started = performance.now();
    try {
      const done = await withTimeout(
        Promise.resolve(module.close?.(instance)).then(() => true),
        timeoutMs,
        { resolveWith: false },
      );
      const ms = performance.now() - started;
      return done ? { status: 'ok', value: undefined, ms } : { status: 'timeout', ms };
    } catch (error) {
      return { status: 'error', error, ms: performance.now() - started };
    }
  };
  let checked: Instance;
  try {
    checked = requireMethods(module, instance, module.kind === 'keyv' ? KEYV_METHODS : EXPRESS_SESSION_METHODS);
  } catch (error) {
    await release();
    throw error;
  }
  return module.kind === 'keyv'
    ? keyvStore(module, checked, timeoutMs, release)
    : expressSessionStore(module, checked, timeoutMs, release);
}

const EXPRESS_SESSION_METHODS = ['get', 'set', 'destroy'] as const;
const KEYV_METHODS = ['get', 'set', 'delete', 'clear'] as const;
