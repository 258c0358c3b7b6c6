// A real-store module for Keyv with its default in-memory Map, as a user would write one.
import Keyv from 'keyv';

export default {
  name: 'fixture-keyv-memory',
  kind: 'keyv',
  description: 'Keyv on its default in-memory Map, through a plug-in module',
  capabilities: { persistent: false, shared: false },
  async open({ namespace }) {
    return new Keyv({ namespace });
  },
};
