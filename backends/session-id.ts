// Session ids the manager issues: 128 bits from the CSPRNG, as 32 lowercase hex characters.
// 128 random bits make a collision astronomically unlikely and an id impossible to guess.
import { randomBytes } from 'node:crypto';

export const SESSION_ID_BYTES = 16;
export const SESSION_ID_PATTERN = /^[0-9a-f]{32}$/;

// One randomBytes(16) call costs ~3 µs here, more than a whole memory-backend create; drawing
// 256 ids' worth at once (as crypto.randomUUID's entropy cache does) makes an id ~0.25 µs.
// Each byte is handed out once, and only to one id.
const POOL_BYTES = SESSION_ID_BYTES * 256;
let pool = Buffer.alloc(0);
let offset = 0;

export function newSessionId(): string {
  if (offset === pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + SESSION_ID_BYTES);
  offset += SESSION_ID_BYTES;
  return id;
}

export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}
