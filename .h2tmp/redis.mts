import { preset } from '/work/wt/h2/backends/stores/presets.ts';
const base = preset('connect-redis')!.module;
export default { ...base, unreachableOptions: (port: number) => ({ url: `redis://127.0.0.1:${port}` }) };
