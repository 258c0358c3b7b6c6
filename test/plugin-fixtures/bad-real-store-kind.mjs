// A real-store module whose kind is neither 'express-session' nor 'keyv': refused at load.
export default {
  name: 'bad-kind',
  kind: 'redis-store',
  capabilities: { persistent: false, shared: false },
  async open() {
    return {};
  },
};
