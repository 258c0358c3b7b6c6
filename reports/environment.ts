// What a report was measured on: figures from two machines, Node versions or driver versions
// are not comparable, and the report says which ones it has.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import type { Profile } from '../backends/profiles.js';
import { PACKAGE_ROOT } from '../backends/package-root.js';
import type { Environment } from './report.js';

interface Manifest {
  version?: string;
  dependencies?: Record<string, string>;
}

function readManifest(file: string): Manifest {
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/** Where Node would load `name` from for sessionbench: its own node_modules, or a hoisted one above. */
function installedManifest(name: string): string | undefined {
  for (let dir = PACKAGE_ROOT; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The installed version of each runtime dependency, or the declared range when it can't be found. */
function dependencyVersions(manifest: Manifest): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
    const installed = installedManifest(name);
    versions[name] = (installed === undefined ? undefined : readManifest(installed).version) ?? range;
  }
  return versions;
}

export function describeEnvironment(profile: Profile, seed: number, strict: boolean): Environment {
  const manifest = readManifest(join(PACKAGE_ROOT, 'package.json'));
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', count: cpus.length },
    os: { platform: os.platform(), release: os.release(), arch: os.arch() },
    dependencies: dependencyVersions(manifest),
    sessionbench: manifest.version ?? 'unknown',
    profile,
    seed,
    strict,
  };
}
