// A complete third-party backend in plain JavaScript, as a user would write one: it imports
// nothing from sessionbench (the harness recognises errors by their `code`), keeps sessions as
// JSON text in a Map (so nothing the caller holds aliases what is stored), and checks every
// input before it changes anything.

const MAX_ID_LENGTH = 256;
const MAX_DEPTH = 512;
const SESSION_KEYS = new Set(['id', 'createdAt', 'lastAccessedAt', 'timeoutMs', 'version', 'metadata']);

function refuse(code, message) {
  const err = new Error(message);
  err.code = code;
  throw err;
}

const isMillis = (v) => Number.isSafeInteger(v) && v >= 0 && !Object.is(v, -0);

function assertId(id) {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) refuse('INVALID_ID', 'bad session id');
}

function assertNow(now) {
  if (!isMillis(now)) refuse('INVALID_SESSION', 'now must be a non-negative integer');
}

/** Only values JSON.stringify writes back exactly: no NaN, -0, functions, cycles, classes, holes. */
function assertJson(value, open, depth) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Object.is(value, -0))
      refuse('INVALID_SESSION', 'metadata holds a number JSON cannot carry');
    return;
  }
  if (typeof value !== 'object') refuse('INVALID_SESSION', `metadata holds a ${typeof value}`);
  if (depth > MAX_DEPTH) refuse('INVALID_SESSION', 'metadata nests too deep');
  if (open.has(value)) refuse('INVALID_SESSION', 'metadata has a cycle');
  open.add(value);
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) refuse('INVALID_SESSION', 'metadata holds an exotic array');
    for (let i = 0; i < value.length; i++) {
      if (!Object.hasOwn(value, i)) refuse('INVALID_SESSION', 'metadata holds a sparse array');
      assertJson(value[i], open, depth + 1);
    }
  } else {
    if (proto !== Object.prototype && proto !== null) refuse('INVALID_SESSION', 'metadata holds a class instance');
    if (Object.getOwnPropertySymbols(value).length > 0) refuse('INVALID_SESSION', 'metadata has symbol keys');
    if (typeof value.toJSON === 'function') refuse('INVALID_SESSION', 'metadata has a toJSON method');
    for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
      if (!d.enumerable) continue;
      if (d.get !== undefined || d.set !== undefined) refuse('INVALID_SESSION', `metadata.${key} is an accessor`);
      assertJson(d.value, open, depth + 1);
    }
  }
  open.delete(value);
}

/** The stored text of a valid session; refuses anything else. */
function serialise(session, maxBytes) {
  if (typeof session !== 'object' || session === null || Array.isArray(session))
    refuse('INVALID_SESSION', 'not a session');
  for (const key of Object.keys(session)) if (!SESSION_KEYS.has(key)) refuse('INVALID_SESSION', `unknown field ${key}`);
  const { id, createdAt, lastAccessedAt, timeoutMs, version, metadata } = session;
  assertId(id);
  if (!isMillis(createdAt) || !isMillis(lastAccessedAt) || lastAccessedAt < createdAt)
    refuse('INVALID_SESSION', 'bad timestamps');
  if (timeoutMs !== null && (!isMillis(timeoutMs) || !Number.isSafeInteger(lastAccessedAt + timeoutMs)))
    refuse('INVALID_SESSION', 'bad timeoutMs');
  if (!isMillis(version) || version < 1) refuse('INVALID_SESSION', 'bad version');
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    refuse('INVALID_SESSION', 'metadata must be an object');
  assertJson(metadata, new Set(), 0);
  const text = JSON.stringify({ id, createdAt, lastAccessedAt, timeoutMs, version, metadata });
  if (Buffer.byteLength(text, 'utf8') > maxBytes) refuse('TOO_LARGE', `over ${maxBytes} bytes`);
  return text;
}

function expectedVersionOf(options) {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    refuse('INVALID_SESSION', 'bad store options');
  const { expectedVersion } = options;
  if (expectedVersion !== undefined && !isMillis(expectedVersion)) refuse('INVALID_SESSION', 'bad expectedVersion');
  return expectedVersion;
}

class MapBackend {
  #rows = new Map(); // id -> { text, version, expiry }
  #closed = false;

  constructor(maxBytes) {
    this.maxBytes = maxBytes;
  }

  #open() {
    if (this.#closed) refuse('CLOSED', 'backend is closed');
  }

  async store(session, options) {
    this.#open();
    const expected = expectedVersionOf(options);
    const text = serialise(session, this.maxBytes);
    const current = this.#rows.get(session.id);
    if (expected !== undefined && (current?.version ?? 0) !== expected)
      refuse('CONFLICT', `stored version is ${current?.version ?? 0}`);
    const expiry = session.timeoutMs === null ? null : session.lastAccessedAt + session.timeoutMs;
    this.#rows.set(session.id, { text, version: session.version, expiry });
  }

  async fetch(id, now) {
    this.#open();
    assertId(id);
    assertNow(now);
    const row = this.#rows.get(id);
    return row === undefined || (row.expiry !== null && now >= row.expiry) ? undefined : JSON.parse(row.text);
  }

  async delete(id) {
    this.#open();
    assertId(id);
    return this.#rows.delete(id);
  }

  async list(now) {
    this.#open();
    assertNow(now);
    return [...this.#rows].filter(([, row]) => row.expiry === null || now < row.expiry).map(([id]) => id);
  }

  async cleanupExpired(now) {
    this.#open();
    assertNow(now);
    let removed = 0;
    for (const [id, row] of this.#rows) {
      if (row.expiry !== null && now >= row.expiry) {
        this.#rows.delete(id);
        removed++;
      }
    }
    return removed;
  }

  async close() {
    this.#closed = true;
    this.#rows.clear();
  }
}

export default {
  name: 'plugin-map',
  description: 'A plain-JavaScript plug-in: a Map of JSON text, in this process.',
  capabilities: { persistent: false, shared: false },
  async open(context) {
    const maxBytes = context.options?.maxSessionBytes ?? 1024 * 1024;
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)
      refuse('INVALID_SESSION', 'maxSessionBytes must be a positive integer');
    return new MapBackend(maxBytes);
  },
};
