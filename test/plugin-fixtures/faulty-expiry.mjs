// A faulty plug-in: fetch compares the expiry one millisecond late, so a session is still
// returned at the exact instant it expires (the classic `>` for `>=`). verify must fail it.
import good from './good.mjs';

export default {
  ...good,
  name: 'plugin-faulty-expiry',
  description: 'good.mjs with fetch one millisecond late on expiry.',
  async open(context) {
    const backend = await good.open(context);
    const fetch = backend.fetch.bind(backend);
    backend.fetch = (id, now) => fetch(id, Number.isSafeInteger(now) && now > 0 ? now - 1 : now);
    return backend;
  },
};
