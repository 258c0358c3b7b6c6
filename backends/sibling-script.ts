// Scripts run in child processes (the lmdb integrity walk, the fault scenarios' children) sit
// next to the module that spawns them, so they are found the same way from the sources and from
// an installed package's dist/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The node arguments that run script `name` beside the module at `moduleUrl`: its .js with plain
 * node when that module is built (dist/), its .ts through tsx when it runs from source. tsx is
 * resolved from here, so the child finds it whatever its working directory.
 */
export function siblingScriptArgs(moduleUrl: string, name: string): string[] {
  const extension = path.extname(fileURLToPath(moduleUrl));
  const script = fileURLToPath(new URL(`${name}${extension}`, moduleUrl));
  return extension === '.ts' ? ['--import', import.meta.resolve('tsx'), script] : [script];
}
