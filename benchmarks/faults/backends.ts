// Backends the fault scenarios run, in this process or a child: a reference backend by name, a
// plug-in module by absolute path (a child resolves paths from the project root, not the
// caller's directory), or either wrapped in encryption at rest as `<name>+aes` (key from
// SESSIONBENCH_ENCRYPTION_KEY, which a child inherits).
import path from 'node:path';
import type { BackendModule } from '../../backends/contract.js';
import { encrypted } from '../../backends/encrypted.js';
import { isModulePath, loadBackend } from '../../backends/load-backend.js';
import { SetupError } from '../../backends/setup-error.js';

const AES_SUFFIX = '+aes';

export async function loadFaultBackend(name: string): Promise<BackendModule> {
  const base = name.endsWith(AES_SUFFIX) ? name.slice(0, -AES_SUFFIX.length) : name;
  if (isModulePath(base) && !path.isAbsolute(base))
    throw new SetupError(`backend module ${base} must be an absolute path: fault scenarios load it in child processes`);
  const { module } = await loadBackend(base);
  return base === name ? module : encrypted(module);
}
