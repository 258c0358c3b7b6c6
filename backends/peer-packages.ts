// Optional peer packages (store drivers, testcontainers): loaded only by the run that needs one,
// and a missing one is a SetupError that names the exact install command, at the versions
// package.json's peerDependencies pin (read from there, never copied).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './package-root.js';
import { SetupError } from './setup-error.js';

let peers: Readonly<Record<string, string>> | undefined;

function peerVersions(): Readonly<Record<string, string>> {
  peers ??=
    (
      JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
        peerDependencies?: Record<string, string>;
      }
    ).peerDependencies ?? {};
  return peers;
}

/** `npm i -D a@1.0.0 b@2.0.0`: each package at its peer version (unpinned when package.json names none). */
function installCommand(packages: readonly string[]): string {
  const versions = peerVersions();
  return `npm i -D ${packages.map((name) => (versions[name] === undefined ? name : `${name}@${versions[name]}`)).join(' ')}`;
}

/**
 * Runs `load` (dynamic imports of `packages`); when one is not installed, a SetupError saying
 * what `user` needs and how to install it.
 */
export async function importPeers<T>(user: string, packages: readonly string[], load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new SetupError(`${user} needs ${packages.join(' and ')}, not installed here: ${installCommand(packages)}`, {
      cause: err,
    });
  }
}
