// The lmdb environment of a directory, shared by every backend instance of this process.
// lmdb-js keeps one read snapshot per root and only renews it after that root's own writes,
// so two roots on one path in one process read stale data after each other's writes (and
// LMDB forbids opening an environment twice in one process): instances share a root, refcounted.
import fs from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { SessionError } from './errors.js';
import type { IndexKey } from './lmdb-keys.js';

export interface LmdbEnv {
  root: RootDatabase;
  /** recordKey -> the session's JSON text, exactly as encodeSession wrote it. */
  sessions: Database<string, string>;
  /** recordKey -> encodeMeta(version, expiry); its lmdb version is a write stamp for conditional writes. */
  meta: Database<string, string>;
  /** IndexKey -> empty: the expiry index that list and cleanupExpired read by range. */
  expiry: Database<Buffer, IndexKey>;
}

/** A directory without a '.', which lmdb-js would take for a file name. */
export const ENV_DIR = 'sessions-lmdb';

const MDB_MAGIC = 0xbeefc0de;
const MAGIC_OFFSET = 24; // after the 24-byte page header of the first meta page

const shared = new Map<string, { env: LmdbEnv; refs: number }>();

/**
 * lmdb-js crashes the process (SIGSEGV) on a data file that is not an LMDB file, so the
 * header is checked before opening. Damage past the header is undetectable: LMDB has no checksums.
 */
function checkHeader(envPath: string): void {
  let fd: number;
  try {
    fd = fs.openSync(path.join(envPath, 'data.mdb'), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new SessionError('UNAVAILABLE', `lmdb data file can't be read: ${(err as Error).message}`, { cause: err });
  }
  try {
    const header = Buffer.alloc(MAGIC_OFFSET + 4);
    const size = fs.fstatSync(fd).size;
    const read = fs.readSync(fd, header, 0, header.length, 0);
    if (size > 0 && (read < header.length || header.readUInt32LE(MAGIC_OFFSET) !== MDB_MAGIC)) {
      throw new SessionError('CORRUPT', `${envPath}/data.mdb is not an LMDB data file`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function openEnv(envPath: string): LmdbEnv {
  checkHeader(envPath);
  let root: RootDatabase;
  try {
    root = open({ path: envPath, maxDbs: 4 });
  } catch (err) {
    const message = (err as Error).message;
    const code = /MDB_(INVALID|CORRUPTED|VERSION_MISMATCH|PAGE_NOTFOUND)/.test(message) ? 'CORRUPT' : 'UNAVAILABLE';
    throw new SessionError(code, `lmdb environment can't be opened: ${message}`, { cause: err });
  }
  return {
    root,
    sessions: root.openDB<string, string>('sessions', { encoding: 'string' }),
    meta: root.openDB<string, string>('meta', { encoding: 'string', useVersions: true }),
    expiry: root.openDB<Buffer, IndexKey>('expiry', { encoding: 'binary' }),
  };
}

/** The environment under `dir`, opened on first use; pair every call with releaseEnv. */
export function acquireEnv(dir: string): { env: LmdbEnv; envPath: string } {
  let envPath: string;
  try {
    fs.mkdirSync(path.join(dir, ENV_DIR), { recursive: true });
    envPath = fs.realpathSync(path.join(dir, ENV_DIR));
  } catch (err) {
    throw new SessionError('UNAVAILABLE', `lmdb directory can't be created: ${(err as Error).message}`, { cause: err });
  }
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
