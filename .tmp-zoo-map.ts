import { runSuite } from './properties/index.js';
import { ZOO } from './test/zoo/index.js';
const seed = Number(process.argv[2] ?? 42);
const names = process.argv.slice(3);
for (const m of ZOO) {
  if (names.length && !names.includes(m.module.name)) continue;
  const t = performance.now();
  const rs = await runSuite(m.module, { profile: 'quick', seed, createManager: m.createManager });
  const failed = rs.filter(r => r.status === 'failed').map(r => r.id);
  const errored = rs.filter(r => r.status === 'errored').map(r => `${r.id}:${r.message?.slice(0,80)}`);
  const missing = m.expected.filter(e => !failed.includes(e));
  const slow = rs.filter(r => r.durationMs > 1500).map(r => `${r.id}=${r.durationMs}`);
  console.log(JSON.stringify({ name: m.module.name, ms: Math.round(performance.now()-t), failed, missing, errored, slow }));
}
