// A small seeded pseudo-random number generator for the simulated carrier. Not for anything secret.
//
// Each simulated call draws from its own stream, seeded by hashing the parts that identify it (the carrier seed, the
// number dialled, the call id, and what the draws are for). A call's outcome therefore depends only on who is called
// and which attempt it is, never on how many other calls ran before it, in which order, or in which process.

/**
 * mulberry32 (Tommy Ettinger, public domain): 32 bits of state, passes gjrand/PractRand to a few GB, plenty for
 * picking outcomes. Returns a function yielding floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * FNV-1a over the UTF-16 code units, then MurmurHash3's 32-bit finaliser so that inputs differing in one character
 * (`...0001:1` and `...0001:2`) give unrelated seeds.
 */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

export class Rng {
  private readonly nextFloat: () => number;

  constructor(seed: number) {
    this.nextFloat = mulberry32(seed);
  }

  /** A stream identified by its parts; JSON keeps ('a:b', 'c') and ('a', 'b:c') apart. */
  static for(...parts: readonly (string | number)[]): Rng {
    return new Rng(hash32(JSON.stringify(parts)));
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextFloat();
  }

  /** An integer in [min, max], both included. */
  intBetween(min: number, max: number): number {
    const low = Math.ceil(Math.min(min, max));
    const high = Math.floor(Math.max(min, max));
    return low + Math.floor(this.nextFloat() * (high - low + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.nextFloat() < p;
  }

  /** One of the keys, with probability proportional to its weight (weights must be non-negative, not all zero). */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let point = this.nextFloat() * total;
    for (const [key, weight] of entries) {
      if (point < weight) return key;
      point -= weight;
    }
    // Only reachable through floating-point rounding at the very top of the range: the last key with any weight.
    const last = entries.filter(([, weight]) => weight > 0).at(-1);
    if (!last) throw new RangeError('weighted() needs at least one positive weight');
    return last[0];
  }
}
