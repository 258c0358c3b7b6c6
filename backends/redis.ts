// Redis reference backend (the Mnesia row): one hash per session, and per namespace a sorted
// set of expiry times plus one of safety-net deadlines (key scheme in redis-keys.ts). Every
// write is a Lua script (redis-scripts.ts), so compare-and-set, delete and cleanup are atomic
// against every other client; reads are single plain commands.
import type { BackendModule, Session, SessionBackend, StoreOptions } from './contract.js';
import { decodeSession, encodeSession } from './codec.js';
import { SessionError, type SessionErrorCode } from './errors.js';
import { expiresAt, isExpired } from './expiry.js';
import { idFromKey, idKey } from './id-keys.js';
import { Lifecycle } from './lifecycle.js';
import { intOption } from './options.js';
import { connectRedis, redisCall, redisConnectionOptions } from './redis-client.js';
import { RedisKeys } from './redis-keys.js';
import { defineSessionScripts, type RedisClient, type SessionScripts } from './redis-scripts.js';
import { withTimeout } from './timeout.js';
import { checkTouchArguments } from './touch.js';
import { checkId, checkNow, checkStoreOptions, DEFAULT_MAX_SESSION_BYTES } from './validate.js';

/** How long the native PEXPIREAT safety net waits past the logical expiry (and the server clock). */
export const SAFETY_NET_MS = 24 * 60 * 60 * 1000;
/** Index members one cleanup or prune script handles: bounds how long one call blocks Redis. */
export const DEFAULT_CLEANUP_BATCH = 1000;

/** The codes of the touch script's refusals; nothing was written for any of them. */
const TOUCH_ERRORS: Record<string, SessionErrorCode> = {
  corrupt: 'CORRUPT',
  limit: 'INVALID_SESSION',
  large: 'TOO_LARGE',
};

export interface RedisBackendOptions {
  maxBytes: number;
  cleanupBatch: number;
  closeTimeoutMs: number;
}

/** The options redis and redis-cluster read alike; close waits as long as a command may. */
export function redisBackendOptions(
  options: Record<string, unknown> | undefined,
  commandTimeoutMs: number,
): RedisBackendOptions {
  return {
    maxBytes: intOption(options, 'maxSessionBytes', DEFAULT_MAX_SESSION_BYTES),
    cleanupBatch: intOption(options, 'cleanupBatch', DEFAULT_CLEANUP_BATCH),
    closeTimeoutMs: commandTimeoutMs,
  };
}

export class RedisBackend implements SessionBackend {
  readonly #client: RedisClient & SessionScripts;
  /** Runs the scripts: the client's own, or (redis-cluster's `replicas`) each pipelined with a WAIT. */
  readonly #scripts: SessionScripts;
  readonly #keys: RedisKeys;
  readonly #life = new Lifecycle('redis');

  constructor(
    client: RedisClient,
    namespace: string,
    private readonly options: RedisBackendOptions,
    scripts?: SessionScripts,
  ) {
    this.#client = defineSessionScripts(client);
    this.#scripts = scripts ?? this.#client;
    this.#keys = new RedisKeys(namespace);
  }

  async store(session: Session, options?: StoreOptions): Promise<void> {
    this.#life.assertOpen();
    const expected = checkStoreOptions(options);
    const text = encodeSession(session, this.options.maxBytes);
    const expiry = expiresAt(session);
    const stored = await redisCall(
      this.#scripts.sbStore(
        this.#keys.session(session.id),
        this.#keys.index,
        this.#keys.safetyNet,
        text,
        String(session.version),
        this.#keys.member(session.id),
        expiry === null ? '+inf' : String(expiry),
        expected === undefined ? '' : String(expected),
        String(SAFETY_NET_MS),
      ),
    );
    if (stored === null) return;
    if (!/^(0|[1-9][0-9]*)$/.test(stored))
      throw new SessionError('CORRUPT', `stored version ${JSON.stringify(stored)} is not a version`);
    throw new SessionError('CONFLICT', `expected version ${expected}, stored ${stored}`);
  }

  async fetch(id: string, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkId(id);
    checkNow(now);
    // One HGET of the JSON text: the version field `v` is only for the CAS script, and the
    // store script writes both in one step, so they can't disagree.
    const text = await redisCall(this.#client.hget(this.#keys.session(id), 'd'));
    if (text === null) return undefined;
    const session = decodeSession(text, id);
    return isExpired(expiresAt(session), now) ? undefined : session;
  }

  /** One Lua script (TOUCH): the expiry check, the rewrite and the index moves in one atomic step. */
  async touch(id: string, lastAccessedAt: number, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkTouchArguments(id, lastAccessedAt, now);
    const keys = this.#keys;
    const reply = await redisCall(
      this.#scripts.sbTouch(
        keys.session(id),
        keys.index,
        keys.safetyNet,
        `{"id":${idKey(id)},"createdAt":`, // encodeSession's head: JSON.stringify writes the id as idKey does
        keys.member(id),
        String(lastAccessedAt),
        String(now),
        String(SAFETY_NET_MS),
        String(this.options.maxBytes),
      ),
    );
    if (reply === null) return undefined;
    const [code, detail] = reply;
    if (code === 'ok') return decodeSession(detail, id);
    throw new SessionError(TOUCH_ERRORS[code] ?? 'CORRUPT', `redis touch: ${detail}`);
  }

  async delete(id: string): Promise<boolean> {
    this.#life.assertOpen();
    checkId(id);
    const keys = this.#keys;
    const deleted = await redisCall(
      this.#scripts.sbDelete(keys.session(id), keys.index, keys.safetyNet, keys.member(id)),
    );
    return deleted === 1;
  }

  async list(now: number): Promise<string[]> {
    this.#life.assertOpen();
    checkNow(now);
    const keys = this.#keys;
    const batch = this.options.cleanupBatch;
    for (;;) {
      // Both go out in one round trip (auto-pipelining). The range read is a plain ZRANGE, not
      // a script: Lua would copy every member twice. Whichever runs first, filtering out what
      // the prune dropped leaves no member whose hash is gone.
      const pruned = this.#scripts.sbPrune(keys.index, keys.safetyNet, String(batch), keys.sessionPrefix);
      const members = this.#client.zrange(keys.index, `(${now}`, '+inf', 'BYSCORE');
      const [dropped, live] = await redisCall(Promise.all([pruned, members]));
      if (dropped.length === batch) continue;
      const gone = new Set(dropped);
      return (gone.size === 0 ? live : live.filter((member) => !gone.has(member))).map(idFromKey);
    }
  }

  async cleanupExpired(now: number): Promise<number> {
    this.#life.assertOpen();
    checkNow(now);
    const keys = this.#keys;
    const batch = this.options.cleanupBatch;
    let removed = 0;
    for (;;) {
      const [taken, deleted] = await redisCall(
        this.#scripts.sbCleanup(keys.index, keys.safetyNet, String(now), String(batch), keys.sessionPrefix),
      );
      removed += deleted;
      if (taken < batch) return removed;
    }
  }

  async close(): Promise<void> {
    if (!this.#life.close()) return;
    // QUIT lets in-flight replies arrive; bounded, because a dead server would never answer it.
    await withTimeout(
      this.#client.quit().catch(() => {}),
      this.options.closeTimeoutMs,
      { resolveWith: undefined },
    );
    this.#client.disconnect();
  }
}

const redis: BackendModule = {
  name: 'redis',
  description: 'Redis via ioredis (like Mnesia): shared by every client of the server; CAS and cleanup as Lua scripts.',
  capabilities: { persistent: true, shared: true, maxSessionBytes: DEFAULT_MAX_SESSION_BYTES },
  async open(context) {
    const connection = redisConnectionOptions(context.options);
    const options = redisBackendOptions(context.options, connection.commandTimeoutMs);
    return new RedisBackend(await connectRedis(connection), context.namespace, options);
  },
};

export default redis;
