// The memory reference backend 30% slower on purpose (a test fixture for the regression gate).
// Loaded as a .ts plug-in through tsx.
import { slowedMemory } from './slowed.js';

export default slowedMemory(0.3, 'The memory backend, 30% slower on purpose (a test fixture for the regression gate).');
