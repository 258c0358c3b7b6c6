// The zoo's faulty managers: the real SessionManager with one method replaced. ManagerParts keeps
// the backend and clock within reach, and `rewrite` is the manager's read-change-write cycle,
// so a faulty method shows only how it builds the next session (or that it writes blindly).
import type { BackendModule, Session, SessionBackend } from '../../backends/contract.js';
import { SessionManager, type CreateInit, type ManagerOptions } from '../../backends/manager.js';
import memory from '../../backends/memory.js';
import type { ManagerFactory } from '../../backends/manager-like.js';

export type Write = 'compare-and-set' | 'blind';

export class ManagerParts extends SessionManager {
  protected readonly clock: () => number;

  constructor(
    protected readonly backend: SessionBackend,
    options: ManagerOptions = {},
  ) {
    super(backend, options);
    this.clock = options.clock ?? Date.now;
  }

  /** create() with the id given: what a faulty create() does once it has picked an id its own way. */
  protected async createWith(id: string, init: CreateInit = {}): Promise<Session> {
    const now = this.clock();
    const session: Session = {
      id,
      createdAt: now,
      lastAccessedAt: now,
      timeoutMs: init.timeoutMs ?? null,
      version: 1,
      metadata: init.metadata ?? {},
    };
    await this.backend.store(session, { expectedVersion: 0 });
    return structuredClone(session);
  }

  /** Fetches the live session, builds the next one, writes it; retries a compare-and-set that conflicts. */
  protected async rewrite(
    id: string,
    next: (stored: Session, now: number) => Session,
    write: Write,
  ): Promise<Session | undefined> {
    for (;;) {
      const now = this.clock();
      const stored = await this.backend.fetch(id, now);
      if (stored === undefined) return undefined;
      const session = next(stored, now);
      try {
        await this.backend.store(session, write === 'blind' ? undefined : { expectedVersion: stored.version });
        return session;
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'CONFLICT') throw err;
      }
    }
  }
}

/** A zoo member whose bug is in the manager: the memory reference backend under a faulty manager. */
export function managerModule(name: string, description: string): BackendModule {
  return { ...memory, name, description };
}

export function managerFactory(
  Manager: new (backend: SessionBackend, options: ManagerOptions) => SessionManager,
): ManagerFactory {
  return (backend, options) => new Manager(backend, options);
}
