// Resolves a --backend argument: a reference backend or a real-store preset by name, or a plug-in
// module by path (.js, .mjs, .cjs, or .ts through tsx). A plug-in is checked against its shape
// (a BackendModule, or with a `kind` a real-store module) before anything runs it, so a broken
// one is a setup error with a clear reason, not a crash halfway through a run. A real store runs
// through the blob adapter, so the suite and the benchmark take it as any other backend. A
// plug-in may also export its own manager (`createManager`), which the manager properties then
// test instead of the reference SessionManager.
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BackendModule, RealStoreModule } from './contract.js';
import type { ManagerFactory } from './manager-like.js';
import {
  isReferenceBackend,
  loadReferenceBackend,
  REFERENCE_BACKENDS,
  referenceBackend,
  type ServerKind,
} from './registry.js';
import { SetupError } from './setup-error.js';
import { blobBackend } from './stores/blob-adapter.js';
import { preset, PRESET_NAMES } from './stores/presets.js';

export type BackendKind = 'reference' | 'preset' | 'plugin';

export interface LoadedBackend {
  /** What was passed to --backend (the replay command repeats it). */
  spec: string;
  kind: BackendKind;
  /** What the suite and the benchmark run: for a real store, the blob adapter over it. */
  module: BackendModule;
  /** The express-session or Keyv module itself, for a preset or a real-store plug-in. */
  realStore?: RealStoreModule;
  /** The plug-in's named export `createManager`, when it has one. */
  createManager?: ManagerFactory;
}

const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
const TS_EXTENSIONS = ['.ts', '.mts', '.cts'];

export function isModulePath(spec: string): boolean {
  return MODULE_EXTENSIONS.includes(extname(spec)) || spec.includes('/') || spec.includes('\\');
}

const REAL_STORE_KINDS: readonly string[] = ['express-session', 'keyv'] satisfies RealStoreModule['kind'][];

/** What a module with this default export claims to be, for the loader's messages. */
function shapeName(value: unknown): string {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  if (kind === undefined) return 'BackendModule';
  return typeof kind === 'string' && REAL_STORE_KINDS.includes(kind) ? `${kind} module` : 'real-store module';
}

/**
 * What is wrong with `value` as a BackendModule or, when it has a `kind`, as a real-store module
 * (DESIGN's ExpressSessionModule, KeyvModule); undefined when nothing is.
 */
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
  const problem = m.kind === undefined ? backendCapabilityProblem(caps) : realStoreProblem(m, caps);
  if (problem !== undefined) return problem;
  if (typeof m.open !== 'function') return 'its open is not a function';
  return undefined;
}

function backendCapabilityProblem(caps: Record<string, unknown>): string | undefined {
  if (caps.compareAndSet !== undefined && typeof caps.compareAndSet !== 'boolean')
    return 'capabilities.compareAndSet is not a boolean';
  const limit = caps.maxSessionBytes;
  if (limit !== undefined && limit !== null && !(Number.isSafeInteger(limit) && (limit as number) > 0)) {
    return 'capabilities.maxSessionBytes is not a positive integer or null';
  }
  return undefined;
}

function realStoreProblem(m: Record<string, unknown>, caps: Record<string, unknown>): string | undefined {
  if (typeof m.kind !== 'string' || !REAL_STORE_KINDS.includes(m.kind))
    return `its kind is ${JSON.stringify(m.kind) ?? String(m.kind)}, not ${REAL_STORE_KINDS.map((k) => `'${k}'`).join(' or ')}`;
  const tolerance = caps.expiryToleranceMs;
  if (tolerance !== undefined && !(typeof tolerance === 'number' && Number.isFinite(tolerance) && tolerance >= 0))
    return 'capabilities.expiryToleranceMs is not a non-negative number';
  if (m.close !== undefined && typeof m.close !== 'function') return 'its close is not a function';
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

async function loadPlugin(spec: string): Promise<Pick<LoadedBackend, 'module' | 'realStore' | 'createManager'>> {
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
    throw new SetupError(`backend module ${spec} does not default-export a ${shapeName(exports.default)}: ${problem}`);
  const { createManager } = exports;
  if (createManager !== undefined && typeof createManager !== 'function') {
    throw new SetupError(
      `backend module ${spec} exports a createManager that is not a function (it is ${createManager === null ? 'null' : typeof createManager})`,
    );
  }
  const manager = createManager === undefined ? {} : { createManager: createManager as ManagerFactory };
  if ((exports.default as { kind?: unknown }).kind === undefined)
    return { module: exports.default as BackendModule, ...manager };
  const realStore = exports.default as RealStoreModule;
  return { module: blobBackend(realStore), realStore, ...manager };
}

export async function loadBackend(spec: string): Promise<LoadedBackend> {
  if (isReferenceBackend(spec)) return { spec, kind: 'reference', module: await loadReferenceBackend(spec) };
  const realStore = preset(spec)?.module;
  if (realStore !== undefined) return { spec, kind: 'preset', module: blobBackend(realStore), realStore };
  if (!isModulePath(spec)) {
    throw new SetupError(
      `unknown backend ${spec}: use one of ${[...REFERENCE_BACKENDS, ...PRESET_NAMES].join(', ')} or a module path (.js, .mjs, .ts)`,
    );
  }
  return { spec, kind: 'plugin', ...(await loadPlugin(spec)) };
}

/** The server a loaded backend needs (its registry entry or preset says), or null. */
export function requiredServer({ kind, spec }: Pick<LoadedBackend, 'kind' | 'spec'>): ServerKind | null {
  if (kind === 'reference') return referenceBackend(spec)?.server ?? null;
  return kind === 'preset' ? (preset(spec)?.server ?? null) : null;
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
