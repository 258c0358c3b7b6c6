// One run's backend: a fresh namespace and subdirectory, every instance opened on them tracked,
// and all of it wiped and closed afterwards, through the contract alone (plug-ins included), so
// runs never see each other's data, even on a shared Redis.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendModule, SessionBackend } from '../../backends/contract.js';
import { errorCode } from '../../backends/errors.js';

/** open() of a fresh backend failed: the property could not run, which is an error, not a counterexample. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}

interface Instance {
  backend: SessionBackend;
  namespace: string;
  closed: boolean;
}

const WIPE_BATCH = 256;

/**
 * Removes every session: cleanupExpired(MAX_SAFE_INTEGER) takes all that can expire, so what is
 * left never expires and list(0) shows it all (list(0) alone would miss sessions expired at 0).
 */
export async function wipe(backend: SessionBackend): Promise<void> {
  await backend.cleanupExpired(Number.MAX_SAFE_INTEGER);
  const ids = await backend.list(0);
  for (let i = 0; i < ids.length; i += WIPE_BATCH) {
    await Promise.all(ids.slice(i, i + WIPE_BATCH).map((id) => backend.delete(id)));
  }
}

let opened = 0;

export class Fixture {
  readonly dir: string;
  readonly namespace: string;
  readonly #instances: Instance[] = [];

  constructor(
    private readonly module: BackendModule,
    baseDir: string,
    private readonly options: Record<string, unknown>,
  ) {
    this.dir = mkdtempSync(join(baseDir, 'run-'));
    this.namespace = `sb-${process.pid}-${(opened++).toString(36)}-${randomBytes(4).toString('hex')}`;
  }

  /** Another instance on the same dir and namespace (a reopen, or a second client of a shared store). */
  open(): Promise<SessionBackend> {
    return this.#open(this.namespace);
  }

  /** An instance on the same dir (or server) under another namespace, wiped and closed with the rest. */
  openNeighbour(): Promise<SessionBackend> {
    return this.#open(`${this.namespace}-neighbour`);
  }

  async #open(namespace: string): Promise<SessionBackend> {
    const backend = await this.module.open({ dir: this.dir, namespace, options: { ...this.options } });
    const instance: Instance = { backend, namespace, closed: false };
    this.#instances.push(instance);
    // Forwards every call unchanged (a synchronous throw stays synchronous); only notes close().
    return {
      store: (...args) => backend.store(...args),
      fetch: (...args) => backend.fetch(...args),
      delete: (...args) => backend.delete(...args),
      list: (...args) => backend.list(...args),
      cleanupExpired: (...args) => backend.cleanupExpired(...args),
      // Optional (contract v2): present exactly when the backend has it.
      ...(backend.touch === undefined
        ? {}
        : { touch: (id: string, lastAccessedAt: number, now: number) => backend.touch!(id, lastAccessedAt, now) }),
      close: () => {
        instance.closed = true;
        return backend.close();
      },
    };
  }

  /** Wipes each namespace through an open instance (reopening one if a persistent or shared store was left closed), closes all. */
  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    const keepsData = this.module.capabilities.persistent || this.module.capabilities.shared;
    for (const namespace of new Set(this.#instances.map((i) => i.namespace))) {
      try {
        let live = this.#instances.find((i) => i.namespace === namespace && !i.closed)?.backend;
        if (live === undefined && keepsData) live = await this.#open(namespace);
        if (live !== undefined) await wipe(live);
      } catch (err) {
        errors.push(err);
      }
    }
    for (const instance of this.#instances) {
      if (instance.closed) continue;
      instance.closed = true;
      await instance.backend.close().catch((err: unknown) => errors.push(err));
    }
    rmSync(this.dir, { recursive: true, force: true });
    if (errors.length > 0) throw errors[0];
  }
}

/** Runs `body` on a fresh backend and disposes of it after; a failing open() is a SetupError. */
export async function withFixture<T>(
  module: BackendModule,
  baseDir: string,
  options: Record<string, unknown>,
  body: (backend: SessionBackend, fixture: Fixture) => Promise<T>,
): Promise<T> {
  const fixture = new Fixture(module, baseDir, options);
  let backend: SessionBackend;
  try {
    backend = await fixture.open();
  } catch (err) {
    rmSync(fixture.dir, { recursive: true, force: true });
    const code = errorCode(err);
    throw new SetupError(
      `open() of ${module.name} failed: ${code === undefined ? '' : `${code} `}${(err as Error)?.message ?? err}`,
      {
        cause: err,
      },
    );
  }
  let result: T;
  try {
    result = await body(backend, fixture);
  } catch (err) {
    // The body's failure is the finding; a teardown failing after it would only hide it.
    await fixture.dispose().catch(() => {});
    throw err;
  }
  await fixture.dispose();
  return result;
}
