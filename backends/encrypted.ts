// Encryption at rest as a decorator over any backend: AES-256-GCM (node:crypto) of the metadata.
//
// The wrapped backend stores an ordinary session whose metadata is { "$enc": base64(iv|tag|ciphertext) }
// and whose other fields stay in clear, because the backend needs timeoutMs and lastAccessedAt for
// expiry and version for compare-and-set. Every clear field (and the namespace) is bound as
// associated data, so a record that was tampered with, copied to another id or namespace, or read
// with another key fails authentication and reads as CORRUPT, never as data.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { BackendModule, Json, Session, SessionBackend, StoreOptions } from './contract.js';
import { encodeSession } from './codec.js';
import { errorCode, SessionError } from './errors.js';
import { Lifecycle } from './lifecycle.js';
import { intOption } from './options.js';
import { checkTouchArguments, touchedSession } from './touch.js';
import { checkStoreOptions, DEFAULT_MAX_SESSION_BYTES } from './validate.js';

export const ENCRYPTION_KEY_ENV = 'SESSIONBENCH_ENCRYPTION_KEY';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENC_FIELD = '$enc';
/** Versions the AAD layout, so a later format can't be mistaken for this one. */
const AAD_TAG = 'sessionbench-aes-256-gcm-v1';
/** Each lost compare-and-set means another writer won: past this many in a row, give up (as lmdb does). */
const MAX_TOUCH_ATTEMPTS = 1000;

export type EncryptionKey = string | Uint8Array;

export interface EncryptedOptions {
  /** 32 bytes, or their base64 / hex text. Else OpenContext.options.encryptionKey, else the environment. */
  key?: EncryptionKey;
}

/** 32 bytes from a Buffer, 64 hex characters or base64 text; anything else is a setup error. */
export function parseKey(key: unknown): Buffer {
  let bytes: Buffer | undefined;
  if (key instanceof Uint8Array) bytes = Buffer.from(key);
  else if (typeof key === 'string') {
    bytes = /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
  }
  if (bytes?.length !== KEY_BYTES) {
    throw new SessionError(
      'INVALID_SESSION',
      `encryption key must be ${KEY_BYTES} bytes (a Buffer, 64 hex characters or base64)`,
    );
  }
  return bytes;
}

/** A fresh random key as base64, for tests and for `SESSIONBENCH_ENCRYPTION_KEY`. */
export function newEncryptionKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

function resolveKey(options: Record<string, unknown> | undefined, fallback: EncryptionKey | undefined): Buffer {
  const key = options?.encryptionKey ?? fallback ?? process.env[ENCRYPTION_KEY_ENV];
  if (key === undefined || key === '') {
    throw new SessionError(
      'INVALID_SESSION',
      `no encryption key: pass options.encryptionKey or set ${ENCRYPTION_KEY_ENV}`,
    );
  }
  return parseKey(key);
}

/**
 * The inner limit that fits any session whose plaintext JSON is within `maxBytes`: base64 grows
 * the metadata by 4/3 after adding iv and tag; the clear fields are already counted in maxBytes.
 */
export function innerSessionLimit(maxBytes: number): number {
  return Math.ceil((maxBytes + IV_BYTES + TAG_BYTES) / 3) * 4 + 64;
}

function associatedData(namespace: string, s: Session): Buffer {
  return Buffer.from(
    JSON.stringify([AAD_TAG, namespace, s.id, s.createdAt, s.lastAccessedAt, s.timeoutMs, s.version]),
    'utf8',
  );
}

function corrupt(id: string, why: string, cause?: unknown): SessionError {
  return new SessionError('CORRUPT', `encrypted session ${JSON.stringify(id)} ${why}`, { cause });
}

class EncryptedBackend implements SessionBackend {
  readonly #life: Lifecycle;

  constructor(
    name: string,
    private readonly inner: SessionBackend,
    private readonly key: Buffer,
    private readonly namespace: string,
    private readonly maxBytes: number,
  ) {
    this.#life = new Lifecycle(name);
  }

  async store(session: Session, options?: StoreOptions): Promise<void> {
    this.#life.assertOpen();
    checkStoreOptions(options);
    // Validates and snapshots the plaintext (the size limit applies to it), before anything is written.
    const clear = JSON.parse(encodeSession(session, this.maxBytes)) as Session;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(associatedData(this.namespace, clear));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(clear.metadata), 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
    await this.inner.store({ ...clear, metadata: { [ENC_FIELD]: sealed } }, options);
  }

  async fetch(id: string, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    const stored = await this.inner.fetch(id, now);
    return stored === undefined ? undefined : this.#open(stored);
  }

  /**
   * Not the inner backend's touch: lastAccessedAt and version are bound into the seal, so the record
   * must be sealed anew. Atomic all the same, by the inner compare-and-set: the write lands only
   * on the version read, live at `now`; a session deleted or rewritten meanwhile makes it CONFLICT
   * and read again, so it never revives one. Two round trips, not one.
   */
  async touch(id: string, lastAccessedAt: number, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkTouchArguments(id, lastAccessedAt, now);
    for (let attempt = 1; ; attempt++) {
      const stored = await this.inner.fetch(id, now);
      if (stored === undefined) return undefined;
      const next = touchedSession(this.#open(stored), lastAccessedAt);
      try {
        await this.store(next, { expectedVersion: stored.version });
        return next;
      } catch (err) {
        if (errorCode(err) !== 'CONFLICT') throw err;
        if (attempt >= MAX_TOUCH_ATTEMPTS) {
          throw new SessionError(
            'UNAVAILABLE',
            `touch of ${JSON.stringify(id)} lost ${attempt} compare-and-sets in a row`,
            { cause: err },
          );
        }
      }
    }
  }

  async delete(id: string): Promise<boolean> {
    this.#life.assertOpen();
    return this.inner.delete(id);
  }

  async list(now: number): Promise<string[]> {
    this.#life.assertOpen();
    return this.inner.list(now);
  }

  async cleanupExpired(now: number): Promise<number> {
    this.#life.assertOpen();
    return this.inner.cleanupExpired(now);
  }

  async close(): Promise<void> {
    if (this.#life.close()) await this.inner.close();
  }

  #open(stored: Session): Session {
    const keys = Object.keys(stored.metadata);
    const sealed = stored.metadata[ENC_FIELD];
    if (keys.length !== 1 || typeof sealed !== 'string') throw corrupt(stored.id, 'is not sealed');
    const bytes = Buffer.from(sealed, 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw corrupt(stored.id, 'is too short to be sealed');
    let plaintext: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(associatedData(this.namespace, stored));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      plaintext = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch (err) {
      // Wrong key, tampered bytes or fields, or a record moved from another id: all one answer.
      throw corrupt(stored.id, 'fails authentication (tampered, moved, or another key)', err);
    }
    const metadata = JSON.parse(plaintext) as { [key: string]: Json };
    return { ...stored, metadata };
  }
}

/** `module` with its sessions' metadata encrypted at rest; named `<name>+aes`. */
export function encrypted(module: BackendModule, options: EncryptedOptions = {}): BackendModule {
  const name = `${module.name}+aes`;
  return {
    name,
    description: `${module.name} with session metadata sealed by AES-256-GCM (clear fields bound as associated data).`,
    // Its own limit on the plaintext JSON, whatever the wrapped backend's (it gets room for the ciphertext).
    capabilities: { ...module.capabilities, maxSessionBytes: DEFAULT_MAX_SESSION_BYTES },
    async open(context) {
      const maxBytes = intOption(context.options, 'maxSessionBytes', DEFAULT_MAX_SESSION_BYTES);
      const key = resolveKey(context.options, options.key);
      // The key never reaches the wrapped backend; its limit leaves room for the ciphertext.
      const { encryptionKey: _key, ...rest } = context.options ?? {};
      const inner = await module.open({
        ...context,
        options: { ...rest, maxSessionBytes: innerSessionLimit(maxBytes) },
      });
      return new EncryptedBackend(name, inner, key, context.namespace, maxBytes);
    },
  };
}
