// Temporary directories for tests on real files, removed afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempDir {
  path: string;
  remove(): void;
}

export function tempDir(label = 'test'): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sessionbench-${label}-`));
  return { path: dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
