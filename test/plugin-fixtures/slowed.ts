// The memory reference backend slowed on purpose: every call busy-waits `extra` times the time
// its own work took (0.3: 30% slower; 1: twice as slow). It keeps the name 'memory' so its
// benchmark rows match the reference memory rows of a baseline report and its budget.
import type { BackendModule } from '../../backends/contract.js';
import memory from '../../backends/memory.js';
import { wrapCalls } from '../helpers/wrap-calls.js';

export function slowedMemory(extra: number, description: string): BackendModule {
  const slowed = <A extends unknown[], R>(call: (...args: A) => Promise<R>): ((...args: A) => Promise<R>) => {
    return (...args) => {
      // The memory backend does all its work before its promise is returned, so this times the
      // work alone: timing up to the resolution would also count other calls in flight (the
      // prefill runs 64 at once) and each wait would feed the next.
      const start = process.hrtime.bigint();
      const result = call(...args);
      const until = process.hrtime.bigint() + BigInt(Math.round(Number(process.hrtime.bigint() - start) * extra));
      while (process.hrtime.bigint() < until) {
        // Busy-wait: a timer can't wait a microsecond, and the cost must land inside the measured call.
      }
      return result;
    };
  };
  return {
    name: 'memory',
    description,
    capabilities: memory.capabilities,
    async open(context) {
      return wrapCalls(await memory.open(context), slowed);
    },
  };
}
