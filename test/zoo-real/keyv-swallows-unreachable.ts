// Keyv's own default, throwOnErrors false: when the server can't be reached, get reads as a miss
// and delete as done; only an 'error' event, which nobody listens to, tells.
import { keyvStoreModule, ZooKeyvAdapter } from './keyv-store.js';

export default keyvStoreModule(
  'keyv-swallows-unreachable',
  'Keyv with its default throwOnErrors: false over a network adapter: a dead server reads as a miss',
  ZooKeyvAdapter,
  { throwOnErrors: false }, // BUG (Keyv's default): store errors are swallowed
);
