// DESIGN's Layout holds: no file imports from a floor above its own, and no import circle.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { layoutViolations } from './helpers/layers.js';
import { tempDir } from './helpers/tmp.js';

const ROOT = join(import.meta.dirname, '..');
const FLOORS = ['backends', 'properties', 'benchmarks', 'reports', 'scripts'];

function copyOfTree(): string {
  const tmp = tempDir('layers');
  after(tmp.remove);
  const dir = tmp.path;
  for (const floor of FLOORS)
    cpSync(join(ROOT, floor), join(dir, floor), { recursive: true, filter: (src) => !src.includes('/latest') });
  return dir;
}

test('no file imports from a floor above its own, and no import circle', () => {
  assert.deepEqual(layoutViolations(ROOT), []);
});

test('the check fails on a violation planted in a copy of the tree', () => {
  const dir = copyOfTree();
  assert.deepEqual(layoutViolations(dir), [], 'the copy starts clean');
  appendFileSync(join(dir, 'backends/contract.ts'), "\nimport '../reports/report.js';\n");
  const found = layoutViolations(dir);
  assert.ok(
    found.some((v) => v.from === 'backends/contract.ts' && v.to === 'reports/report.ts' && /floor above/.test(v.why)),
    JSON.stringify(found),
  );
});

test('the check finds an import circle, a benchmark reaching past the arbitraries, a property importing another', () => {
  const dir = copyOfTree();
  writeFileSync(join(dir, 'backends/planted-a.ts'), "import { b } from './planted-b.js';\nexport const a = b;\n");
  writeFileSync(
    join(dir, 'backends/planted-b.ts'),
    "import type { a } from './planted-a.js';\nexport const b = 1 as unknown as typeof a;\n",
  );
  writeFileSync(join(dir, 'benchmarks/planted.ts'), "export { runSuite } from '../properties/index.js';\n");
  writeFileSync(join(dir, 'properties/planted.ts'), "export { runBenchmarks } from '../benchmarks/index.js';\n");
  writeFileSync(join(dir, 'properties/invariants/planted.ts'), "export { roundTrip } from './round-trip.js';\n");
  const found = layoutViolations(dir);
  assert.ok(
    found.some(
      (v) => v.why === 'import circle' && v.from === 'backends/planted-a.ts' && v.to === 'backends/planted-b.ts',
    ),
    JSON.stringify(found),
  );
  assert.ok(
    found.some((v) => v.from === 'benchmarks/planted.ts' && v.to === 'properties/index.ts'),
    JSON.stringify(found),
  );
  assert.ok(
    found.some((v) => v.from === 'properties/planted.ts' && v.to === 'benchmarks/index.ts'),
    JSON.stringify(found),
  );
  assert.ok(
    found.some((v) => v.from === 'properties/invariants/planted.ts' && v.why === 'a property imports another property'),
    JSON.stringify(found),
  );
});
