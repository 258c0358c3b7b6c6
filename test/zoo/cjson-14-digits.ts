// Metadata re-encoded by a Lua script in Redis: lua-cjson writes numbers with 14 significant
// digits by default, so large integers and most doubles come back changed.
import type { Json, Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class FourteenDigits extends ZooBackend {
  protected override admit(session: Session): Session {
    const admitted = super.admit(session);
    // BUG: precision lost in the encoder.
    const metadata = JSON.parse(JSON.stringify(admitted.metadata), (_key, value: Json) =>
      typeof value === 'number' ? Number(value.toPrecision(14)) : value,
    ) as Session['metadata'];
    return { ...admitted, metadata };
  }
}

export default zooModule({
  name: 'cjson-14-digits',
  description: 'numbers are stored with 14 significant digits: 2^53 - 1 and 0.1 + 0.2 do not round-trip',
  backend: FourteenDigits,
});
