// The memory reference backend slowed on purpose by about 30%: every call busy-waits 30% of
// the time its own work took. It keeps the name 'memory' so its benchmark rows match
// the reference memory rows of a baseline report. Loaded as a .ts plug-in through tsx.
import type { BackendModule } from '../../backends/contract.js';
import memory from '../../backends/memory.js';
import { wrapCalls } from '../helpers/wrap-calls.js';

const EXTRA = 0.3;

function slowed<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) => {
    // The memory backend does all its work before its promise is returned, so this times the
    // work alone: timing up to the resolution would also count other calls in flight (the
    // prefill runs 64 at once) and each wait would feed the next.
    const start = process.hrtime.bigint();
    const result = call(...args);
    const until = process.hrtime.bigint() + BigInt(Math.round(Number(process.hrtime.bigint() - start) * EXTRA));
    while (process.hrtime.bigint() < until) {
      // Busy-wait: a timer can't wait a microsecond, and the cost must land inside the measured call.
    }
    return result;
  };
}

const slowedMemory: BackendModule = {
  name: 'memory',
  description: 'The memory backend, 30% slower on purpose (a test fixture for the regression gate).',
  capabilities: memory.capabilities,
  async open(context) {
    return wrapCalls(await memory.open(context), slowed);
  },
};

export default slowedMemory;
