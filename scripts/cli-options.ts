// Option parsing shared by the CLI's commands; every bad value is a SetupError (exit 2).
import { randomInt } from 'node:crypto';
import { isProfile, type Profile, PROFILES } from '../backends/profiles.js';
import { SetupError } from '../backends/setup-error.js';

/** What verify, props and bench run when no --backend is given. */
export const DEFAULT_BACKENDS = ['memory', 'sqlite', 'lmdb', 'redis', 'postgres'];

export const BACKEND_HELP = `  --backend <name|path>  memory, sqlite, lmdb, redis, redis-cluster, postgres, or a plug-in module
                         (.js, .mjs, .ts); repeatable (default: ${DEFAULT_BACKENDS.join(', ')})`;
export const STRICT_HELP = `  --strict               fail on minor property failures too (conformance: exact error codes,
                         the exact size limit); by default only critical and major ones fail`;
export const PROFILE_HELP = `  --profile <name>       ${Object.keys(PROFILES).join(' | ')} (default: standard)`;

export function parseProfile(value: string | undefined): Profile {
  if (value === undefined) return 'standard';
  if (!isProfile(value))
    throw new SetupError(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, not ${value}`);
  return value;
}

/** fast-check seeds are 32-bit integers; a run without --seed draws one and reports it. */
export function parseSeed(value: string | undefined): number {
  if (value === undefined) return randomInt(0, 2 ** 31 - 1);
  if (!/^-?\d+$/.test(value) || Number(value) < -(2 ** 31) || Number(value) >= 2 ** 32)
    throw new SetupError(`--seed must be a 32-bit integer, not ${value}`);
  return Number(value);
}

export function parseFraction(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1)
    throw new SetupError(`${name} must be a number in [0, 1), e.g. 0.1 for 10%, not ${value}`);
  return n;
}

export function backendsOf(values: string[] | undefined): string[] {
  return values === undefined || values.length === 0 ? DEFAULT_BACKENDS : values;
}

/**
 * Every backend skipped for want of a server fails the run when the user named the backends with
 * --backend (`named`): one asked for by name that can't be had is not a pass. (Per server,
 * SESSIONBENCH_REQUIRE_REDIS / _POSTGRES=1 does the same: Target.required.)
 */
export function requireAll(named?: readonly string[]): boolean {
  return named !== undefined && named.length > 0;
}
