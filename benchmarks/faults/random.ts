// Seeded draws for the fault scenarios (on the benchmark's PRNG), so every one replays from its seed.

/** An integer in [min, max]. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
