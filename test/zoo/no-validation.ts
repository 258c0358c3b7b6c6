// "Validation" by JSON round trip, as naive stores do: NaN becomes null, functions and undefined
// vanish, a Date becomes a string, bad field types go through, and nothing says INVALID_SESSION.
import type { Session } from '../../backends/contract.js';
import { SessionError } from '../../backends/errors.js';
import { ZooBackend, zooModule } from './base.js';

class NoValidation extends ZooBackend {
  protected override admit(session: Session): Session {
    const text = JSON.stringify(session); // BUG: no checkFields.
    if (Buffer.byteLength(text, 'utf8') > this.maxBytes) throw new SessionError('TOO_LARGE', 'session is too large');
    return JSON.parse(text) as Session;
  }
}

export default zooModule({
  name: 'no-validation',
  description: 'store() accepts whatever JSON.stringify accepts: NaN metadata, bad field types, missing fields',
  backend: NoValidation,
});
