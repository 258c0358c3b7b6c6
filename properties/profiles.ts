// How much each profile runs. quick is sized for every pull request: the whole suite on the four
// reference backends in about a minute on 2 cores; standard and thorough run several and many
// times more, with longer command sequences.
import type { PropertyDef, ProfileSettings } from './engine/define.js';
import type { Profile } from './engine/result.js';

export const PROFILES: Record<Profile, ProfileSettings> = {
  // manager-ids creates 10k ids in quick (100k would cost seconds per backend); 100k elsewhere.
  quick: { name: 'quick', runsScale: 1, maxCommands: 25, managerIds: 10_000, timeoutMs: 30_000 },
  standard: { name: 'standard', runsScale: 5, maxCommands: 60, managerIds: 100_000, timeoutMs: 180_000 },
  thorough: { name: 'thorough', runsScale: 20, maxCommands: 200, managerIds: 100_000, timeoutMs: 900_000 },
};

export function isProfile(value: unknown): value is Profile {
  return typeof value === 'string' && Object.hasOwn(PROFILES, value);
}

export function numRuns(def: PropertyDef, profile: ProfileSettings): number {
  return typeof def.runs === 'number' ? def.runs * profile.runsScale : def.runs[profile.name];
}
