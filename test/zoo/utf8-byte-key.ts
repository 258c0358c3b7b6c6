// A byte-keyed store (Redis, LMDB, LevelDB) fed Buffer.from(id, 'utf8'): every lone surrogate
// becomes U+FFFD, so ids differing only there address one record.
import { ZooBackend, zooModule } from './base.js';

class Utf8ByteKey extends ZooBackend {
  protected override key(id: string): string {
    return Buffer.from(id, 'utf8').toString('latin1'); // BUG: UTF-8 encoding is not injective on lone surrogates.
  }
}

export default zooModule({
  name: 'utf8-byte-key',
  description: 'keys are the UTF-8 bytes of the id: ids differing in a lone surrogate (or U+FFFD) collide',
  backend: Utf8ByteKey,
});
