// Seeded randomness for workloads: the same seed gives the same keys, payloads and request
// mix on every run, so two runs (or two backends) face the same sequence of operations.

/** mulberry32: a small, fast 32-bit PRNG; uniform in [0, 1). Plenty for choosing keys. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `chars` lowercase hex digits from the generator (manager-style ids are 32). */
export function hexString(random: () => number, chars: number): string {
  let out = '';
  while (out.length < chars)
    out += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, chars);
}
