import { preset } from '/work/wt/h2/backends/stores/presets.ts';
const m = preset('connect-redis')!.module;
const t0 = Date.now();
const s = await m.open({ dir: '/tmp', namespace: 'h2-open' });
console.log('opened in', Date.now() - t0);
await m.close!(s);
