// Resolves a --backend argument: a reference backend by name, or a plug-in module by path
// (.js, .mjs, .cjs, or .ts through tsx). A plug-in is checked against the BackendModule shape
// before anything runs it, so a broken one is a setup error with a clear reason, not a crash
// halfway through a run. A plug-in may also export its own manager (`createManager`), which the
// manager properties then test instead of the reference SessionManager.
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BackendModule } from './contract.js';
import type { ManagerFactory } from './manager-like.js';
import { isReferenceBackend, loadReferenceBackend, REFERENCE_BACKENDS } from './registry.js';
import { SetupError } from './setup-error.js';

/** 'preset': a real store package (express-session store, Keyv) through a preset sessionbench ships. */
export type BackendKind = 'reference' | 'plugin' | 'preset';

export interface LoadedBackend {
  /** What was passed to --backend (the replay command repeats it). */
  spec: string;
  kind: BackendKind;
  module: BackendModule;
  /** The plug-in's named export `createManager`, when it has one. */
  createManager?: ManagerFactory;
}

const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
const TS_EXTENSIONS = ['.ts', '.mts', '.cts'];

export function isModulePath(spec: string): boolean {
  return MODULE_EXTENSIONS.includes(extname(spec)) || spec.includes('/') || spec.includes('\\');
}

/** What is wrong with `value` as a BackendModule, or undefined when nothing is. */
export function contractProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null)
    return `the default export is ${value === undefined ? 'missing' : `a ${value === null ? 'null' : typeof value}`}, not a BackendModule object`;
  const m = value as Record<string, unknown>;
  if (typeof m.name !== 'string' || m.name.trim() === '') return 'its name is not a non-empty string';
  if (m.description !== undefined && typeof m.description !== 'string') return 'its description is not a string';
  const caps = m.capabilities as Record<string, unknown> | undefined;
  if (typeof caps !== 'object' || caps === null) return 'its capabilities are missing';
  for (const key of ['persistent', 'shared']) {
    if (typeof caps[key] !== 'boolean') return `capabilities.${key} is not a boolean`;
  }
  if (caps.compareAndSet !== undefined && typeof caps.compareAndSet !== 'boolean')
    return 'capabilities.compareAndSet is not a boolean';
  const limit = caps.maxSessionBytes;
  if (limit !== undefined && limit !== null && !(Number.isSafeInteger(limit) && (limit as number) > 0)) {
    return 'capabilities.maxSessionBytes is not a positive integer or null';
  }
  if (typeof m.open !== 'function') return 'its open is not a function';
  return undefined;
}

async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (TS_EXTENSIONS.includes(extname(file))) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

async function loadPlugin(spec: string): Promise<Pick<LoadedBackend, 'module' | 'createManager'>> {
  const file = resolve(spec);
  if (!existsSync(file)) throw new SetupError(`backend module ${spec} not found (${file})`);
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(file);
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new SetupError(`backend module ${spec} failed to load: ${message}`);
  }
  // A CommonJS or transpiled module may nest its exports one level down.
  let exports = namespace;
  if (
    contractProblem(exports.default) !== undefined &&
    typeof exports.default === 'object' &&
    exports.default !== null &&
    'default' in exports.default
  ) {
    exports = exports.default as Record<string, unknown>;
  }
  const problem = contractProblem(exports.default);
  if (problem !== undefined)
    throw new SetupError(`backend module ${spec} does not default-export a BackendModule: ${problem}`);
  const { createManager } = exports;
  if (createManager !== undefined && typeof createManager !== 'function') {
    throw new SetupError(
      `backend module ${spec} exports a createManager that is not a function (it is ${createManager === null ? 'null' : typeof createManager})`,
    );
  }
  return {
    module: exports.default as BackendModule,
    ...(createManager === undefined ? {} : { createManager: createManager as ManagerFactory }),
  };
}

export async function loadBackend(spec: string): Promise<LoadedBackend> {
  if (isReferenceBackend(spec)) return { spec, kind: 'reference', module: await loadReferenceBackend(spec) };
  if (!isModulePath(spec)) {
    throw new SetupError(
      `unknown backend ${spec}: use one of ${REFERENCE_BACKENDS.join(', ')} or a module path (.js, .mjs, .ts)`,
    );
  }
  return { spec, kind: 'plugin', ...(await loadPlugin(spec)) };
}

/** Loads every spec; two backends of one name would make the report ambiguous. */
export async function loadBackends(specs: readonly string[]): Promise<LoadedBackend[]> {
  const loaded: LoadedBackend[] = [];
  for (const spec of specs) {
    const backend = await loadBackend(spec);
    const clash = loaded.find((b) => b.module.name === backend.module.name);
    if (clash !== undefined)
      throw new SetupError(`backends ${clash.spec} and ${spec} are both named ${backend.module.name}`);
    loaded.push(backend);
  }
  return loaded;
}
