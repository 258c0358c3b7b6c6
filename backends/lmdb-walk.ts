// The integrity walk of an lmdb environment (the lmdb backend's option integrityCheck), run as a
// child process by checkIntegrity in lmdb-env.ts: lmdb-js kills the process that reads some
// damaged pages (SIGBUS, SIGSEGV) instead of throwing, so the whole environment is read here
// first, where a crash only ends the check. Opens it read-only, reads every key and value of every
// database, and compares each count with the one its database record keeps.
// Exits 0 when all of it reads back; WALK_DAMAGED when it finds damage (what, on the last stderr
// line); 1 when the environment can't be opened for another reason.
// Usage: node [loader flags] backends/lmdb-walk.(ts|js) <environment path>
import { open, type RootDatabase } from 'lmdb';
import { DATABASES, isDamage, ROOT_OPTIONS, WALK_DAMAGED } from './lmdb-env.js';

function walk(root: RootDatabase): void {
  // The main database lists the named ones; one missing was never created (an interrupted first
  // open), and the backend creates it when it opens: nothing to read.
  const names = new Set(root.getKeys());
  for (const [name, options] of Object.entries(DATABASES)) {
    if (!names.has(name)) continue;
    const db = root.openDB(name, options);
    let count = 0;
    for (const _entry of db.getRange()) count++; // lmdb-js copies out and decodes each value as it iterates
    const recorded = (db.getStats() as { entryCount: number }).entryCount; // lmdb.d.ts types it as {}
    if (count !== recorded) throw new Error(`database ${name} holds ${count} entries, its record says ${recorded}`);
  }
}

function end(err: unknown, code: number): void {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = code;
}

let root: RootDatabase | undefined;
try {
  root = open({ path: process.argv[2] ?? '', ...ROOT_OPTIONS, readOnly: true });
} catch (err) {
  end(err, isDamage(err) ? WALK_DAMAGED : 1);
}
if (root !== undefined) {
  try {
    walk(root);
  } catch (err) {
    // A healthy environment reads back whole: whatever stops the walk is damage, an lmdb error or
    // a key lmdb-js can't decode (ordered-binary throws a RangeError on some).
    end(err, WALK_DAMAGED);
  } finally {
    void root.close();
  }
}
