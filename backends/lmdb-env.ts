// The lmdb environment of a directory, shared by every backend instance of this process.
// lmdb-js keeps one read snapshot per root and only renews it after that root's own writes,
// so two roots on one path in one process read stale data after each other's writes (and
// LMDB forbids opening an environment twice in one process): instances share a root, refcounted.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { SessionError } from './errors.js';
import type { IndexKey } from './lmdb-keys.js';
import { siblingScriptArgs } from './sibling-script.js';
import { withTimeout } from './timeout.js';

export interface LmdbEnv {
  root: RootDatabase;
  /** recordKey -> the session's text from the backend's RecordCodec (sealed JSON by default). */
  sessions: Database<string, string>;
  /** recordKey -> encodeMeta(version, expiry); its lmdb version is a write stamp for conditional writes. */
  meta: Database<string, string>;
  /** IndexKey -> empty: the expiry index that list and cleanupExpired read by range. */
  expiry: Database<Buffer, IndexKey>;
}

/** A directory without a '.', which lmdb-js would take for a file name. */
export const ENV_DIR = 'sessions-lmdb';

/**
 * How an environment is opened (openEnv) and its databases (LmdbEnv), shared with the integrity
 * walk. overlappingSync is lmdb-js's default, named so that the walk's read-only open (which turns
 * it off by default) also reads the third meta page it adds at half a page, as openEnv does.
 */
export const ROOT_OPTIONS = { maxDbs: 4, overlappingSync: process.platform !== 'win32' } as const;
export const DATABASES = {
  sessions: { encoding: 'string' },
  meta: { encoding: 'string', useVersions: true },
  expiry: { encoding: 'binary' },
} as const;

// LMDB's file format (mdb.c, lmdb-js's master3 branch, 64-bit): each meta page is a 24-byte page
// header, then MDB_meta: mm_magic u32, mm_version u32, mm_address 8, mm_mapsize 8, two 48-byte
// MDB_db records (the first one's md_pad is the page size), mm_last_pg 8, mm_txnid 8.
const MDB_MAGIC = 0xbeefc0de;
const META_OFFSET = 24;
const MAGIC_AT = META_OFFSET;
const PAGE_SIZE_AT = META_OFFSET + 24;
const LAST_PAGE_AT = META_OFFSET + 120;
const TXNID_AT = META_OFFSET + 128;
const META_END = TXNID_AT + 8;

/**
 * LMDB error codes (lmdb.h) that mean the file is damaged: PAGE_NOTFOUND, CORRUPTED, PANIC,
 * VERSION_MISMATCH, INVALID, INCOMPATIBLE, and BAD_TXN, which is what a transaction that hit
 * one of them reports afterwards. lmdb-js throws them as Error(mdb_strerror) with a numeric code.
 */
const DAMAGE_CODES = new Set([-30797, -30796, -30795, -30794, -30793, -30784, -30782]);
const DAMAGE_MESSAGE =
  /^MDB_(PAGE_NOTFOUND|CORRUPTED|PANIC|VERSION_MISMATCH|INVALID|INCOMPATIBLE|BAD_TXN)\b|^Invalid key size/;

/** True for an lmdb error caused by a damaged file (lmdb-js reads damaged keys as 'Invalid key size'). */
export function isDamage(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof SessionError) return false;
  return DAMAGE_CODES.has((err as { code?: unknown }).code as number) || DAMAGE_MESSAGE.test(err.message);
}

/** Runs one backend operation, turning lmdb's damage errors into CORRUPT; anything else passes through. */
export async function guardDamage<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (!isDamage(err)) throw err;
    throw new SessionError('CORRUPT', `lmdb data file is damaged: ${(err as Error).message}`, { cause: err });
  }
}

const shared = new Map<string, { env: LmdbEnv; refs: number }>();

/**
 * lmdb-js crashes the process on a damaged data file: SIGSEGV when it is not an LMDB file,
 * SIGBUS when it is shorter than its meta page says (the map reaches past the end of the file).
 * So before opening: the magic, the page size, and the size the latest meta page commits to.
 * Damage inside the pages is not visible here (LMDB has no checksums): records carry their own
 * digest (validate.ts), and lmdb's own damage errors become CORRUPT (guardDamage); the option
 * integrityCheck reads every page in a child process first (checkIntegrity).
 * False when there is no data yet (a new environment).
 */
function checkDataFile(envPath: string): boolean {
  const file = path.join(envPath, 'data.mdb');
  let data: Buffer;
  try {
    data = readHead(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new SessionError('UNAVAILABLE', `lmdb data file can't be read: ${(err as Error).message}`, { cause: err });
  }
  const size = data.length === 0 ? 0 : fs.statSync(file).size;
  if (size === 0) return false; // a new environment that lmdb will initialise
  const fail = (why: string) => new SessionError('CORRUPT', `${file} is damaged: ${why}`);
  if (data.length < META_END || data.readUInt32LE(MAGIC_AT) !== MDB_MAGIC) throw fail('not an LMDB data file');
  const pageSize = data.readUInt32LE(PAGE_SIZE_AT);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw fail(`page size ${pageSize}`);
  // Meta pages at page 0 and 1, and with overlappingSync a third at half a page: LMDB uses the newest.
  let newest = { txnid: -1n, lastPage: 0n };
  for (const offset of [0, pageSize / 2, pageSize]) {
    if (data.length < offset + META_END) throw fail(`shorter than its meta pages (${size} bytes)`);
    const txnid = data.readBigUInt64LE(offset + TXNID_AT);
    if (txnid > newest.txnid) newest = { txnid, lastPage: data.readBigUInt64LE(offset + LAST_PAGE_AT) };
  }
  const needed = (newest.lastPage + 1n) * BigInt(pageSize);
  if (BigInt(size) < needed) throw fail(`${size} bytes, but its meta page commits to ${needed}`);
  return true;
}

/** The first 128 KiB of a file, enough for the meta pages at any page size up to 64 KiB. */
function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(128 * 1024 + META_END);
    return head.subarray(0, fs.readSync(fd, head, 0, head.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function openEnv(envPath: string): LmdbEnv {
  checkDataFile(envPath);
  let root: RootDatabase | undefined;
  try {
    root = open({ path: envPath, ...ROOT_OPTIONS });
    return {
      root,
      sessions: root.openDB<string, string>('sessions', DATABASES.sessions),
      meta: root.openDB<string, string>('meta', DATABASES.meta),
      expiry: root.openDB<Buffer, IndexKey>('expiry', DATABASES.expiry),
    };
  } catch (err) {
    void root?.close();
    const message = (err as Error).message;
    throw new SessionError(isDamage(err) ? 'CORRUPT' : 'UNAVAILABLE', `lmdb environment can't be opened: ${message}`, {
      cause: err,
    });
  }
}

/** The environment directory under `dir`, created if need be; its real path keys `shared`. */
function envPathOf(dir: string): string {
  try {
    fs.mkdirSync(path.join(dir, ENV_DIR), { recursive: true });
    return fs.realpathSync(path.join(dir, ENV_DIR));
  } catch (err) {
    throw new SessionError('UNAVAILABLE', `lmdb directory can't be created: ${(err as Error).message}`, { cause: err });
  }
}

/** The environment under `dir`, opened on first use; pair every call with releaseEnv. */
export function acquireEnv(dir: string): { env: LmdbEnv; envPath: string } {
  const envPath = envPathOf(dir);
  let entry = shared.get(envPath);
  if (entry === undefined) {
    entry = { env: openEnv(envPath), refs: 0 };
    shared.set(envPath, entry);
  }
  entry.refs++;
  return { env: entry.env, envPath };
}

/** Closes the environment when its last instance lets go. */
export async function releaseEnv(envPath: string): Promise<void> {
  const entry = shared.get(envPath);
  if (entry === undefined || --entry.refs > 0) return;
  shared.delete(envPath);
  await entry.env.root.close();
}

/** lmdb-walk.ts's exit code when lmdb reported damage; it writes what on its last stderr line. */
export const WALK_DAMAGED = 3;

/**
 * Option integrityCheck: before this process first opens the environment under `dir`, a child
 * process (lmdb-walk.ts) reads every key and value of it, since lmdb-js kills the process that
 * reads some damaged pages (SIGBUS, SIGSEGV) instead of throwing. Its death by a signal, or the
 * damage it reports, is CORRUPT. Not running at all (spawn error, timeout, another failure) is
 * UNAVAILABLE: a walk cut short says nothing about the data, and CORRUPT would have an operator
 * restore a backup over a store that may be healthy but only too large for timeoutMs.
 */
export async function checkIntegrity(dir: string, timeoutMs: number): Promise<void> {
  const envPath = envPathOf(dir);
  // Already open here: checked when first opened, if asked, and a reopen reads nothing new.
  if (shared.has(envPath) || !checkDataFile(envPath)) return;
  const child = spawn(process.execPath, [...siblingScriptArgs(import.meta.url, 'lmdb-walk'), envPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const walked = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string } | Error>(
    (resolve) => {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-4096);
      });
      child.on('error', resolve);
      child.on('close', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  const tooLong = new Error(`integrity check still running after ${timeoutMs} ms (option integrityCheckTimeoutMs)`);
  const ended = await withTimeout(walked, timeoutMs, { resolveWith: tooLong });
  if (ended === tooLong) child.kill('SIGKILL');
  if (ended instanceof Error) {
    throw new SessionError('UNAVAILABLE', `lmdb integrity check could not run: ${ended.message}`, { cause: ended });
  }
  const { code, signal, stderr } = ended;
  const lastLine = stderr.trim().split('\n').at(-1) ?? '';
  const why = lastLine === '' ? '' : ` (${lastLine})`;
  if (signal !== null)
    throw new SessionError(
      'CORRUPT',
      `${envPath} is damaged: reading it killed the integrity check with ${signal}${why}`,
    );
  if (code === WALK_DAMAGED) throw new SessionError('CORRUPT', `${envPath} is damaged: ${lastLine}`);
  if (code !== 0) throw new SessionError('UNAVAILABLE', `lmdb integrity check could not run: exit code ${code}${why}`);
}
