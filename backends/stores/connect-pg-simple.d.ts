// connect-pg-simple 10 ships no types: the part the preset uses.
declare module 'connect-pg-simple' {
  import type session from 'express-session';
  import type pg from 'pg';

  interface PgStoreOptions {
    pool?: pg.Pool;
    schemaName?: string;
    tableName?: string;
    createTableIfMissing?: boolean;
    pruneSessionInterval?: false | number;
  }

  class PgStore extends session.Store {
    constructor(options?: PgStoreOptions);
    get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void;
    set(sid: string, session: session.SessionData, callback?: (err?: unknown) => void): void;
    destroy(sid: string, callback?: (err?: unknown) => void): void;
    close(): Promise<void>;
  }

  export default function connectPgSimple(expressSession: typeof session): typeof PgStore;
}
