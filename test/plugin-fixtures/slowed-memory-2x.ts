// The memory reference backend twice as slow on purpose (a test fixture for the ratio budgets).
import { slowedMemory } from './slowed.js';

export default slowedMemory(1, 'The memory backend, twice as slow on purpose (a test fixture for the ratio budgets).');
