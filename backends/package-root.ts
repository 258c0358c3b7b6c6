// Files shipped beside the code (the default budgets, the schema, package.json) are found from
// the package root, which is one level up from the sources under tsx and two from dist/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sessionbench'
    )
      return dir;
    if (dirname(dir) === dir) throw new Error('cannot find the sessionbench package root');
  }
}

export const PACKAGE_ROOT = findRoot();
