// A patch applied by deep merge with arrays concatenated (lodash mergeWith + concat): setting a
// key twice appends twice, and setting an object keeps the old object's other keys.
import type { Json, Session } from '../../backends/contract.js';
import { type MetadataUpdate } from '../../backends/manager.js';
import { ManagerParts, managerFactory, managerModule } from './manager-base.js';

function deepMerge(into: Json, patch: Json): Json {
  if (Array.isArray(into) && Array.isArray(patch)) return [...into, ...patch]; // BUG: concatenated.
  if (typeof into !== 'object' || into === null || Array.isArray(into)) return patch;
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const merged = { ...into };
  for (const [key, value] of Object.entries(patch)) {
    merged[key] = Object.hasOwn(into, key) ? deepMerge(into[key]!, value) : value; // BUG: merged, not replaced.
  }
  return merged;
}

class DeepMerge extends ManagerParts {
  override updateMetadata(id: string, update: MetadataUpdate): Promise<Session | undefined> {
    if (typeof update === 'function') return super.updateMetadata(id, update);
    return super.updateMetadata(id, (metadata) => deepMerge(metadata, update) as Session['metadata']);
  }
}

export default managerModule(
  'manager-deep-merge',
  'updateMetadata() deep-merges patches, concatenating arrays: setting a key is not idempotent',
);
export const createManager = managerFactory(DeepMerge);
