import { createKeyv } from '@keyv/redis';
const keyv = createKeyv('redis://127.0.0.1:6379', { namespace: 'h2-it-' + process.pid });
await keyv.set('a', { x: 1 }, 60000);
const t0 = Date.now();
let n = 0;
const it = keyv.iterator!();
for await (const e of it) { n++; if (Date.now() - t0 > 8000) break; }
console.log('entries', n, 'ms', Date.now() - t0);
await keyv.delete('a');
await keyv.disconnect();
