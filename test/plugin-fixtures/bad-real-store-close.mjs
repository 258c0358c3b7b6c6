// An express-session module whose close is not a function: refused at load.
export default {
  name: 'bad-close',
  kind: 'express-session',
  capabilities: { persistent: false, shared: false, expiryToleranceMs: 10 },
  async open() {
    return {};
  },
  close: 'quit',
};
