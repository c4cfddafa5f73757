/**
 * A seedable random generator, so an experiment replays exactly: the same seed gives the same
 * tensors on every machine. xoshiro128** (Blackman & Vigna) for 32-bit uniform integers,
 * seeded through splitmix32; uniforms in [0, 1) take 24 random bits (exact in float32 too);
 * normals come from the Box–Muller transform.
 */
import { SkipgradError, describe } from './errors.js';

export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    if (!Number.isInteger(seed)) throw new SkipgradError('Generator', 'seed', 'an integer', describe(seed));
    this.manualSeed(seed);
  }

  /** Resets the generator so that it replays the sequence of `seed`. */
  manualSeed(seed: number): this {
    if (!Number.isInteger(seed)) throw new SkipgradError('manualSeed', 'seed', 'an integer', describe(seed));
    // splitmix32 spreads any integer seed over the 128 bits of state (never all zero).
    let z = (seed ^ Math.floor(seed / 2 ** 32)) >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
      return (t ^ (t >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spareNormal = null;
    return this;
  }

  /** A uniform 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform number in [0, 1). */
  uniform(): number {
    return (this.nextUint32() >>> 8) / 2 ** 24;
  }

  /** A standard normal number (mean 0, variance 1). */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    const u1 = 1 - this.uniform(); // in (0, 1], so log(u1) is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator used when none is passed. Reseed it with `manualSeed`. */
export const defaultGenerator = new Generator(0);

/** A Generator argument (or undefined, for the default one), checked. */
export function checkGenerator(op: string, arg: string, value: unknown): Generator | undefined {
  if (value !== undefined && !(value instanceof Generator))
    throw new SkipgradError(op, arg, 'a Generator (new Generator(seed))', describe(value));
  return value as Generator | undefined;
}

/** Reseeds the default generator. */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}
