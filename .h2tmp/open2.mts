const t0 = Date.now();
const { createClient } = await import('redis');
console.log('import redis', Date.now() - t0);
const c = createClient({ url: 'redis://127.0.0.1:6379' });
await c.connect();
console.log('connected', Date.now() - t0);
await import('connect-redis');
console.log('import connect-redis', Date.now() - t0);
await c.close();
