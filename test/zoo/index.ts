// The zoo of faulty backends: each a correct backend (or manager) with one realistic bug, and the
// properties that must catch it. test/zoo.test.ts proves the suite against this list.
import type { BackendModule } from '../../backends/contract.js';
import type { ManagerFactory } from '../../backends/manager-like.js';
import boundedDepth from './bounded-depth.js';
import casChecksIncoming from './cas-checks-incoming.js';
import casZeroIsFalsy from './cas-zero-is-falsy.js';
import cjson14Digits from './cjson-14-digits.js';
import cleanupAfterClose from './cleanup-after-close.js';
import cleanupCountsScanned from './cleanup-counts-scanned.js';
import cleanupNullTimeout from './cleanup-null-timeout.js';
import cleanupStopsEarly from './cleanup-stops-early.js';
import cleanupWholeSeconds from './cleanup-whole-seconds.js';
import coercesId from './coerces-id.js';
import deleteAlwaysTrue from './delete-always-true.js';
import dropsNullValues from './drops-null-values.js';
import expiryOffByOne from './expiry-off-by-one.js';
import fetchIgnoresExpiry from './fetch-ignores-expiry.js';
import fetchOneLevelCopy from './fetch-one-level-copy.js';
import fetchReturnsStored from './fetch-returns-stored.js';
import listShowsExpired from './list-shows-expired.js';
import lostUpdate from './lost-update.js';
import * as managerBlindTouch from './manager-blind-touch.js';
import * as managerBlindUpdate from './manager-blind-update.js';
import * as managerDeepMerge from './manager-deep-merge.js';
import * as managerMathRandomIds from './manager-math-random-ids.js';
import * as managerShortIds from './manager-short-ids.js';
import * as managerTouchFollowsClock from './manager-touch-follows-clock.js';
import * as managerTouchResetsCreatedAt from './manager-touch-resets-created-at.js';
import noValidation from './no-validation.js';
import normalisedId from './normalised-id.js';
import oversizeDropsMetadata from './oversize-drops-metadata.js';
import processLocalLock from './process-local-lock.js';
import replaceDeletesFirst from './replace-deletes-first.js';
import snapshotFieldWhitelist from './snapshot-field-whitelist.js';
import sqliteLikeMatch from './sqlite-like-match.js';
import sqliteIdsFromKey from './sqlite-ids-from-key.js';
import sqliteNocaseKey from './sqlite-nocase-key.js';
import sqliteRtrimKey from './sqlite-rtrim-key.js';
import sqliteUnscopedScan from './sqlite-unscoped-scan.js';
import staleReadCache from './stale-read-cache.js';
import storeShallowCopy from './store-shallow-copy.js';
import touchAtExpiryInstant from './touch-at-expiry-instant.js';
import touchGoesBack from './touch-goes-back.js';
import touchOnRead from './touch-on-read.js';
import touchReadModifyWrite from './touch-read-modify-write.js';
import touchResurrectsDeleted from './touch-resurrects-deleted.js';
import touchRevives from './touch-revives.js';
import touchUncheckedArgs from './touch-unchecked-args.js';
import trimmedId from './trimmed-id.js';
import truncatedId from './truncated-id.js';
import utf8ByteKey from './utf8-byte-key.js';
import { onSqlite, RawIdKeys, zooModule } from './base.js';

export interface ZooMember {
  module: BackendModule;
  /** The faulty manager, when the bug is in the manager rather than the backend. */
  createManager?: ManagerFactory;
  /** Property ids that must fail on it (it may fail others too). */
  expected: string[];
}

/**
 * The zoo's parts with no bug in them: they must pass the whole suite, or a member's failure
 * might be its base's rather than its bug's.
 */
export const CONTROLS: readonly BackendModule[] = [
  zooModule({ name: 'zoo-memory', description: 'the zoo base on a Map, no bug' }),
  zooModule({ name: 'zoo-sqlite', description: 'the zoo base on a SQLite file, no bug', ...onSqlite }),
  zooModule({
    name: 'zoo-sqlite-raw-keys',
    description: 'the zoo base on a SQLite file keyed by raw ids, no bug',
    backend: RawIdKeys,
    ...onSqlite,
  }),
];

function manager(member: { default: BackendModule; createManager: ManagerFactory }, expected: string[]): ZooMember {
  return { module: member.default, createManager: member.createManager, expected };
}

export const ZOO: readonly ZooMember[] = [
  // compare-and-set
  { module: lostUpdate, expected: ['cas-concurrent'] },
  { module: processLocalLock, expected: ['sharing-cas'] },
  { module: casZeroIsFalsy, expected: ['cas-create'] },
  { module: casChecksIncoming, expected: ['cas-stale'] },
  // copies
  { module: storeShallowCopy, expected: ['copy-isolation'] },
  { module: fetchReturnsStored, expected: ['copy-isolation'] },
  { module: fetchOneLevelCopy, expected: ['copy-isolation'] },
  // expiry and cleanup
  { module: expiryOffByOne, expected: ['expiry-boundary'] },
  { module: fetchIgnoresExpiry, expected: ['expiry-boundary', 'no-resurrection'] },
  { module: listShowsExpired, expected: ['expiry-boundary', 'no-resurrection'] },
  { module: touchOnRead, expected: ['no-resurrection'] },
  { module: cleanupNullTimeout, expected: ['expiry-cleanup'] },
  { module: cleanupWholeSeconds, expected: ['expiry-cleanup'] },
  { module: cleanupStopsEarly, expected: ['expiry-cleanup'] },
  { module: cleanupCountsScanned, expected: ['expiry-cleanup'] },
  // ids that collide
  { module: sqliteNocaseKey, expected: ['isolation'] },
  { module: sqliteRtrimKey, expected: ['isolation'] },
  { module: trimmedId, expected: ['isolation'] },
  { module: normalisedId, expected: ['isolation'] },
  { module: truncatedId, expected: ['isolation'] },
  { module: utf8ByteKey, expected: ['isolation'] },
  { module: sqliteIdsFromKey, expected: ['round-trip'] },
  { module: sqliteLikeMatch, expected: ['isolation'] },
  // values that don't round-trip
  { module: cjson14Digits, expected: ['round-trip'] },
  { module: dropsNullValues, expected: ['round-trip'] },
  { module: boundedDepth, expected: ['round-trip'] },
  { module: oversizeDropsMetadata, expected: ['too-large', 'size-limit'] },
  // bad input, partial writes, lifecycle, delete
  { module: noValidation, expected: ['bad-input', 'bad-input-codes'] },
  { module: coercesId, expected: ['bad-input'] },
  { module: replaceDeletesFirst, expected: ['too-large', 'bad-input'] },
  { module: cleanupAfterClose, expected: ['lifecycle-closed'] },
  { module: deleteAlwaysTrue, expected: ['delete-truthful'] },
  // persistence and sharing
  { module: snapshotFieldWhitelist, expected: ['persistence'] },
  { module: staleReadCache, expected: ['sharing-visibility'] },
  { module: sqliteUnscopedScan, expected: ['namespace-isolation'] },
  // the manager
  manager(managerShortIds, ['manager-ids']),
  manager(managerMathRandomIds, ['manager-ids']),
  manager(managerTouchFollowsClock, ['manager-monotonic']),
  manager(managerBlindUpdate, ['manager-concurrent-updates']),
  manager(managerBlindTouch, ['manager-concurrent-updates']),
  manager(managerDeepMerge, ['manager-metadata-algebra']),
  manager(managerTouchResetsCreatedAt, ['manager-created-at']),
  // touch (contract v2)
  { module: touchRevives, expected: ['touch-no-revive'] },
  { module: touchAtExpiryInstant, expected: ['touch-no-revive'] },
  { module: touchResurrectsDeleted, expected: ['touch-no-revive'] },
  { module: touchReadModifyWrite, expected: ['touch-keeps-concurrent-updates'] },
  { module: touchGoesBack, expected: ['touch-monotonic'] },
  { module: touchUncheckedArgs, expected: ['touch-bad-input-unchanged', 'touch-bad-input-codes'] },
];
