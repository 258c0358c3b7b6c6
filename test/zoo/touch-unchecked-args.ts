// touch() checks the id but takes lastAccessedAt and now on trust: a NaN, a string or -1 goes
// into the expiry arithmetic and the stored session.
import { checkId } from '../../backends/validate.js';
import { ZooBackend, zooModule } from './base.js';

class TouchUncheckedArgs extends ZooBackend {
  protected override checkTouch(id: string): void {
    checkId(id); // BUG: lastAccessedAt and now are not checked.
  }
}

export default zooModule({
  name: 'touch-unchecked-args',
  description: 'touch() validates only the id: a bad lastAccessedAt or now is written or compared as given',
  backend: TouchUncheckedArgs,
});
