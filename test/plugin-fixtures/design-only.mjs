// A plug-in written from shared/DESIGN.md's contract alone, as a third party would: a Map of
// JSON text, every input checked before anything changes, no size limit (so it declares no
// maxSessionBytes) and no open options. One deliberate deviation from DESIGN's table: a bad `now`
// is refused with INVALID_ID instead of INVALID_SESSION. It still changes nothing, so only
// --strict (the minor bad-input-codes property) fails it.

const SESSION_FIELDS = ['id', 'createdAt', 'lastAccessedAt', 'timeoutMs', 'version', 'metadata'];

function refuse(code, message) {
  return Object.assign(new Error(message), { code });
}

const isMillis = (v) => Number.isSafeInteger(v) && !Object.is(v, -0) && v >= 0;

function checkId(id) {
  if (typeof id !== 'string' || id.length < 1 || id.length > 256)
    throw refuse('INVALID_ID', 'an id is a string of 1..256 characters');
}

function checkNow(now) {
  if (!isMillis(now)) throw refuse('INVALID_ID', 'now must be a non-negative safe integer'); // DESIGN says INVALID_SESSION
}

/** Plain JSON only: what JSON.stringify then JSON.parse gives back exactly. */
function checkJson(value, open) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Object.is(value, -0)) throw refuse('INVALID_SESSION', 'a number JSON cannot carry');
    return;
  }
  if (typeof value !== 'object') throw refuse('INVALID_SESSION', `metadata holds a ${typeof value}`);
  if (open.has(value)) throw refuse('INVALID_SESSION', 'metadata has a cycle');
  const proto = Object.getPrototypeOf(value);
  const array = Array.isArray(value);
  if (array ? proto !== Array.prototype : proto !== Object.prototype && proto !== null)
    throw refuse('INVALID_SESSION', 'not a plain object or array');
  if (Object.getOwnPropertySymbols(value).length > 0) throw refuse('INVALID_SESSION', 'symbol keys');
  open.add(value);
  const descriptors = Object.getOwnPropertyDescriptors(value);
  if (array) {
    for (let i = 0; i < value.length; i++) if (!(i in descriptors)) throw refuse('INVALID_SESSION', 'a sparse array');
  }
  for (const [key, d] of Object.entries(descriptors)) {
    if (array && key === 'length') continue;
    if (!('value' in d)) throw refuse('INVALID_SESSION', 'an accessor');
    if (!d.enumerable) throw refuse('INVALID_SESSION', 'a hidden property');
    checkJson(d.value, open);
  }
  open.delete(value);
}

function checkSession(s) {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) throw refuse('INVALID_SESSION', 'not a session');
  const keys = Object.keys(s);
  if (keys.length !== SESSION_FIELDS.length || !SESSION_FIELDS.every((k) => Object.hasOwn(s, k)))
    throw refuse('INVALID_SESSION', 'a field missing or unknown');
  checkId(s.id);
  const times = isMillis(s.createdAt) && isMillis(s.lastAccessedAt) && s.lastAccessedAt >= s.createdAt;
  const timeout =
    s.timeoutMs === null || (isMillis(s.timeoutMs) && Number.isSafeInteger(s.lastAccessedAt + s.timeoutMs));
  if (!times || !timeout || !isMillis(s.version) || s.version === 0)
    throw refuse('INVALID_SESSION', 'bad timestamps, timeout or version');
  if (typeof s.metadata !== 'object' || s.metadata === null || Array.isArray(s.metadata))
    throw refuse('INVALID_SESSION', 'metadata is not an object');
  checkJson(s.metadata, new Set());
}

function expectedVersionOf(options) {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw refuse('INVALID_SESSION', 'bad store options');
  const { expectedVersion } = options;
  if (expectedVersion !== undefined && !isMillis(expectedVersion))
    throw refuse('INVALID_SESSION', 'bad expectedVersion');
  return expectedVersion;
}

const expired = (s, now) => s.timeoutMs !== null && now >= s.lastAccessedAt + s.timeoutMs;

class DesignOnlyBackend {
  #sessions = new Map(); // id -> JSON text
  #closed = false;

  #live() {
    if (this.#closed) throw refuse('CLOSED', 'closed');
  }

  #read(id) {
    const text = this.#sessions.get(id);
    return text === undefined ? undefined : JSON.parse(text);
  }

  async store(session, options) {
    this.#live();
    const expectedVersion = expectedVersionOf(options);
    checkSession(session);
    if (expectedVersion !== undefined && (this.#read(session.id)?.version ?? 0) !== expectedVersion)
      throw refuse('CONFLICT', 'version mismatch');
    this.#sessions.set(session.id, JSON.stringify(session));
  }

  async fetch(id, now) {
    this.#live();
    checkId(id);
    checkNow(now);
    const session = this.#read(id);
    return session === undefined || expired(session, now) ? undefined : session;
  }

  async delete(id) {
    this.#live();
    checkId(id);
    return this.#sessions.delete(id);
  }

  async list(now) {
    this.#live();
    checkNow(now);
    return [...this.#sessions.keys()].filter((id) => !expired(this.#read(id), now));
  }

  async cleanupExpired(now) {
    this.#live();
    checkNow(now);
    let removed = 0;
    for (const id of [...this.#sessions.keys()]) {
      if (expired(this.#read(id), now)) removed += this.#sessions.delete(id) ? 1 : 0;
    }
    return removed;
  }

  async close() {
    this.#closed = true;
  }
}

export default {
  name: 'design-only',
  description: 'A Map of JSON text written from DESIGN.md alone; refuses a bad now with INVALID_ID.',
  capabilities: { persistent: false, shared: false },
  async open() {
    return new DesignOnlyBackend();
  },
};
