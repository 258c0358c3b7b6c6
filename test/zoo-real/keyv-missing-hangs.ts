// The adapter's get never settles for a key it does not hold (a lookup whose miss path forgets to resolve).
import { keyvStoreModule, ZooKeyvAdapter } from './keyv-store.js';

class MissingHangs extends ZooKeyvAdapter {
  protected override missing(): Promise<unknown> {
    return new Promise(() => {}); // BUG: never settles
  }
}

export default keyvStoreModule('keyv-missing-hangs', "the adapter's get of a missing key never settles", MissingHangs);
