// `now > expiresAt` where the contract says `now >= expiresAt`: live one millisecond too long.
import type { Session } from '../../backends/contract.js';
import { expiresAt } from '../../backends/expiry.js';
import { ZooBackend, zooModule } from './base.js';

class OffByOne extends ZooBackend {
  protected override expired(session: Session, now: number): boolean {
    const expiry = expiresAt(session);
    return expiry !== null && now > expiry; // BUG: > instead of >=.
  }
}

export default zooModule({
  name: 'expiry-off-by-one',
  description: 'a session is still live at exactly lastAccessedAt + timeoutMs',
  backend: OffByOne,
});
