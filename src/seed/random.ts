import { randomBytes } from 'node:crypto';

/** A small seeded PRNG (mulberry32): reproducible content for a given --seed. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** Picks by weight in O(log n) from precomputed cumulative weights. */
export class WeightedPicker<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    private readonly items: readonly T[],
    weights: readonly number[],
  ) {
    let sum = 0;
    for (const w of weights) this.cumulative.push((sum += w));
    this.total = sum;
  }

  pick(random: Random): T {
    const target = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * UUID v7 (RFC 9562) for the given millisecond, with random bits from a
 * pool of crypto randomness: ids sort like their creation time, as the
 * database's own uuid_generate_v7() ones do.
 */
export class UuidV7Source {
  private pool = Buffer.alloc(0);
  private offset = 0;

  next(ms: number): string {
    if (this.offset + 10 > this.pool.length) {
      this.pool = randomBytes(10 * 4096);
      this.offset = 0;
    }
    const r = this.pool;
    const o = this.offset;
    this.offset += 10;
    const t = ms.toString(16).padStart(12, '0');
    return (
      `${t.slice(0, 8)}-${t.slice(8, 12)}-7${HEX[r[o]!]!.slice(1)}${HEX[r[o + 1]!]}-` +
      `${HEX[(r[o + 2]! & 0x3f) | 0x80]}${HEX[r[o + 3]!]}-${HEX[r[o + 4]!]}${HEX[r[o + 5]!]}${HEX[r[o + 6]!]}${HEX[r[o + 7]!]}${HEX[r[o + 8]!]}${HEX[r[o + 9]!]}`
    );
  }
}
