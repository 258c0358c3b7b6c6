import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSessionId, newSessionId, SESSION_ID_PATTERN } from '../backends/session-id.js';

test('1,000,000 new session ids are unique and 32 lowercase hex characters', () => {
  const count = 1_000_000;
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const id = newSessionId();
    if (!SESSION_ID_PATTERN.test(id)) assert.fail(`id ${JSON.stringify(id)} is not 32 lowercase hex characters`);
    seen.add(id);
  }
  assert.equal(seen.size, count);
});

test('ids use every hex digit in every position (no fixed or biased nibble)', () => {
  const perPosition = Array.from({ length: 32 }, () => new Set<string>());
  for (let i = 0; i < 2000; i++) {
    const id = newSessionId();
    for (let p = 0; p < 32; p++) perPosition[p]!.add(id[p]!);
  }
  for (const [p, digits] of perPosition.entries()) assert.equal(digits.size, 16, `position ${p}`);
});

test('isSessionId accepts the issued format only', () => {
  assert.equal(isSessionId(newSessionId()), true);
  assert.equal(isSessionId('0123456789abcdef0123456789abcdef'), true);
  for (const bad of [
    '0123456789ABCDEF0123456789ABCDEF',
    '0123456789abcdef0123456789abcde',
    '0123456789abcdef0123456789abcdef0',
    '0123456789abcdef0123456789abcdeg',
    '0123456789abcdef0123456789abcdef\n',
    '',
    undefined,
    null,
    42,
  ]) {
    assert.equal(isSessionId(bad), false, JSON.stringify(bad));
  }
});
