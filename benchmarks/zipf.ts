// YCSB's ZipfianGenerator (Gray et al., "Quickly Generating Billion-Record Synthetic
// Databases", SIGMOD 1994): rank 0 is the most popular item, P(rank i) ∝ 1 / (i+1)^theta.
// Constant time per draw after one O(n) pass for zeta(n, theta).

/** YCSB's default skew: a few hot sessions take most requests, as in real web traffic. */
export const ZIPFIAN_CONSTANT = 0.99;

/** zeta(n, theta) = sum over i = 1..n of 1 / i^theta. */
export function zeta(n: number, theta: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += 1 / Math.pow(i, theta);
  return sum;
}

export class ZipfianGenerator {
  readonly #n: number;
  readonly #theta: number;
  readonly #alpha: number;
  readonly #zetan: number;
  readonly #eta: number;
  readonly #random: () => number;

  /** Ranks 0..n-1; `random` is uniform in [0, 1) (a seeded PRNG for reproducible runs). */
  constructor(n: number, random: () => number, theta = ZIPFIAN_CONSTANT) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError('a zipfian generator needs n >= 1 items');
    if (!(theta > 0 && theta < 1)) throw new RangeError('the zipfian constant must be in (0, 1)');
    this.#n = n;
    this.#theta = theta;
    this.#random = random;
    this.#alpha = 1 / (1 - theta);
    this.#zetan = zeta(n, theta);
    const zeta2 = zeta(2, theta);
    this.#eta = (1 - Math.pow(2 / n, 1 - theta)) / (1 - zeta2 / this.#zetan);
  }

  /** The probability of rank 0, 1 / zeta(n, theta): what the test checks draws against. */
  get firstRankProbability(): number {
    return 1 / this.#zetan;
  }

  next(): number {
    const u = this.#random();
    const uz = u * this.#zetan;
    if (uz < 1) return 0;
    if (uz < 1 + Math.pow(0.5, this.#theta)) return Math.min(1, this.#n - 1);
    const rank = Math.floor(this.#n * Math.pow(this.#eta * u - this.#eta + 1, this.#alpha));
    return Math.min(rank, this.#n - 1);
  }
}
