// Open options parsed leniently, as `Number(x) || fallback` does: maxSessionBytes 0, null or NaN
// opens with the default, "1024" as 1024 and -1 as a limit nothing fits under, where each is a
// setup error (INVALID_SESSION).
import type { BackendModule } from '../../backends/contract.js';
import { DEFAULT_MAX_SESSION_BYTES } from '../../backends/validate.js';
import { MemoryTable, ZooBackend, zooModule } from '../zoo/base.js';

const base = zooModule({
  name: 'lenient-open-options',
  description: 'open() coerces maxSessionBytes with Number(x) || default instead of refusing a bad value',
});

const lenientOpenOptions: BackendModule = {
  ...base,
  async open(context) {
    const maxBytes = Number(context.options?.maxSessionBytes) || DEFAULT_MAX_SESSION_BYTES; // BUG: not intOption.
    return new ZooBackend(new MemoryTable(), maxBytes);
  },
};

export default lenientOpenOptions;
