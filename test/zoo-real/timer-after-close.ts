// close forgets the pruning interval: the process never exits on its own.
import { sessionStoreModule, ZooSessionStore } from './session-store.js';

class TimerAfterClose extends ZooSessionStore {
  override close(): void {} // BUG: the interval keeps running
}

export default sessionStoreModule('timer-after-close', 'close leaves the pruning interval running', TimerAfterClose);
