// A real-store module as a user would write one for express-session's own MemoryStore: it
// default-exports the module shape (kind 'express-session') and imports nothing from sessionbench.
import session from 'express-session';

export default {
  name: 'fixture-express-session-memory',
  kind: 'express-session',
  description: "express-session's MemoryStore (callback style), through a plug-in module",
  capabilities: { persistent: false, shared: false },
  async open() {
    return new session.MemoryStore();
  },
};
