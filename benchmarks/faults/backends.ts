// Backends the fault scenarios run by name, in this process or a child: a reference backend, or
// one wrapped in encryption at rest as `<name>+aes` (key from SESSIONBENCH_ENCRYPTION_KEY, which
// a child inherits).
import type { BackendModule } from '../../backends/contract.js';
import { encrypted } from '../../backends/encrypted.js';
import { loadReferenceBackend } from '../../backends/registry.js';

const AES_SUFFIX = '+aes';

export async function loadFaultBackend(name: string): Promise<BackendModule> {
  if (!name.endsWith(AES_SUFFIX)) return loadReferenceBackend(name);
  return encrypted(await loadReferenceBackend(name.slice(0, -AES_SUFFIX.length)));
}
