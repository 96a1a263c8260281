/**
 * Seeded random numbers: xoshiro128** seeded through splitmix32, so a seed gives the same stream on every
 * platform. `manualSeed(n)` reseeds the global generator, as `torch.manual_seed` does; creation functions
 * also take `{ seed }` for a private stream.
 */
import { ArgumentError } from './errors.js';

/** A seedable generator of uniform and normal numbers. */
export class Generator {
  private state = new Uint32Array(4);
  /** A second normal number left over from the last Box–Muller pair, or `null`. */
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    if (!Number.isSafeInteger(seed))
      throw new ArgumentError('Generator', 'seed', `expected a safe integer, got ${seed}`);
    this.manualSeed(seed);
  }

  /** Restarts the stream from `seed` (any safe integer). */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed)) {
      throw new ArgumentError('manualSeed', 'seed', `expected a safe integer, got ${seed}`);
    }
    let s = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
    for (let i = 0; i < 4; i++) {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.state[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.spareNormal = null;
    return this;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal number (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [low, high). */
  integer(low: number, high: number): number {
    return low + Math.floor(this.uniform() * (high - low));
  }

  /** The full state, to save with a checkpoint and restore with `setState`. */
  getState(): number[] {
    return [...this.state, this.spareNormal === null ? NaN : this.spareNormal];
  }

  /** Restores a state from `getState`. */
  setState(state: readonly number[]): void {
    if (state.length !== 5 || !state.slice(0, 4).every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32)) {
      throw new ArgumentError('Generator.setState', 'state', 'expected the 5 numbers getState() returns');
    }
    this.state.set(state.slice(0, 4));
    this.spareNormal = Number.isNaN(state[4]) ? null : state[4]!;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The generator creation functions use unless given `{ seed }`. */
export const defaultGenerator = new Generator(0);

/** Reseeds the global generator, as `torch.manual_seed`. */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}

/** The generator for a call: a fresh one for an explicit seed, else the global one. */
export function generatorFor(seed: number | undefined): Generator {
  return seed === undefined ? defaultGenerator : new Generator(seed);
}
