import { createKeyv } from '@keyv/redis';
const keyv = createKeyv('redis://127.0.0.1:6379', { namespace: 'h2-it-' + process.pid });
keyv.on('error', (e: unknown) => console.log('error event', String(e)));
for (let i = 0; i < 5; i++) { await keyv.set('live' + i, { x: 1 }, 60000); await keyv.set('exp' + i, { x: 1 }, 300); }
await new Promise((r) => setTimeout(r, 1000));
const t0 = Date.now();
let n = 0;
const timer = setTimeout(() => { console.log('still iterating after 8 s, entries so far', n); process.exit(1); }, 8000);
for await (const e of keyv.iterator!()) { n++; }
clearTimeout(timer);
console.log('entries', n, 'ms', Date.now() - t0);
for (let i = 0; i < 5; i++) await keyv.delete('live' + i);
await keyv.disconnect();
