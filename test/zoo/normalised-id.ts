// A file-per-session store on a file system that normalises names (as APFS/HFS+ do): "é" as one
// code point and as e + combining accent name the same file.
import { ZooBackend, zooModule } from './base.js';

class NormalisedId extends ZooBackend {
  protected override key(id: string): string {
    return id.normalize('NFC'); // BUG: not injective.
  }
}

export default zooModule({
  name: 'normalised-id',
  description: 'ids are NFC-normalised before use as keys: canonically equivalent ids collide',
  backend: NormalisedId,
});
