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

export interface TestContexts {
  /** Open context in a fresh subdirectory (namespace 'ns'): a test that damages its files touches no other test's. */
  context(options?: Record<string, unknown>): { dir: string; namespace: string; options?: Record<string, unknown> };
  remove(): void;
}

/** Open contexts under one temporary directory, removed together. */
export function testContexts(label: string): TestContexts {
  const root = tempDir(label);
  let n = 0;
  return {
    context(options) {
      const dir = path.join(root.path, `t${n++}`);
      fs.mkdirSync(dir);
      return { dir, namespace: 'ns', options };
    },
    remove: root.remove,
  };
}
