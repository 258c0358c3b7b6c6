// Every property, in the order they run. This list is the source of truth for property ids
// (reports, the zoo and replay commands use them).
import type { PropertyDef } from '../engine/define.js';
import { badInput, badInputCodes } from './bad-input.js';
import { casConcurrent, casCreate, casStale } from './cas.js';
import { deleteTruthful, expiryBoundary, expiryCleanup, noResurrection } from './expiry.js';
import { copyIsolation, isolation } from './isolation.js';
import { lifecycleClosed } from './lifecycle.js';
import {
  managerConcurrentUpdates,
  managerCreatedAt,
  managerIds,
  managerMetadataAlgebra,
  managerMonotonic,
} from './manager.js';
import { modelBased } from './model-based.js';
import { namespaceIsolation } from './namespaces.js';
import { persistence } from './persistence.js';
import { roundTrip, sizeLimit, tooLarge } from './round-trip.js';
import { sharingCas, sharingVisibility } from './sharing.js';
import {
  touchBadInputCodes,
  touchBadInputUnchanged,
  touchKeepsConcurrentUpdates,
  touchMonotonic,
  touchNoRevive,
} from './touch.js';

export const PROPERTIES: readonly PropertyDef[] = [
  roundTrip,
  tooLarge,
  sizeLimit,
  isolation,
  copyIsolation,
  expiryBoundary,
  expiryCleanup,
  noResurrection,
  casCreate,
  casStale,
  casConcurrent,
  modelBased,
  managerIds,
  managerMonotonic,
  managerConcurrentUpdates,
  managerMetadataAlgebra,
  managerCreatedAt,
  persistence,
  namespaceIsolation,
  sharingVisibility,
  sharingCas,
  lifecycleClosed,
  badInput,
  badInputCodes,
  deleteTruthful,
  touchNoRevive,
  touchKeepsConcurrentUpdates,
  touchMonotonic,
  touchBadInputUnchanged,
  touchBadInputCodes,
];
