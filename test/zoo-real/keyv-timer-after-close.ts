// The adapter's disconnect forgets its sweeping interval: the process never exits on its own.
import { keyvStoreModule, ZooKeyvAdapter } from './keyv-store.js';

class TimerAfterClose extends ZooKeyvAdapter {
  override async disconnect(): Promise<void> {} // BUG: the interval keeps running
}

export default keyvStoreModule(
  'keyv-timer-after-close',
  'disconnect leaves the sweeping interval running',
  TimerAfterClose,
);
