import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { GradstreamError } from './errors.js';

/**
 * A seeded random number generator (xoroshiro128+ from pure-rand). Every random choice in
 * gradstream — initial weights, shuffling, dropout masks, toy datasets — comes from an `Rng`
 * passed in explicitly, so the same seed gives bit-identical training.
 *
 * @example
 * ```ts
 * import { Rng } from '@gradstream/tensor';
 * const rng = Rng.fromSeed(42);
 * const u = rng.next();     // uniform in [0, 1)
 * const z = rng.normal();   // standard normal
 * ```
 */
export class Rng {
  private gen: JumpableRandomGenerator;

  private constructor(gen: JumpableRandomGenerator) {
    this.gen = gen;
  }

  /**
   * A generator seeded with a 32-bit integer.
   *
   * @example
   * ```ts
   * import { Rng } from '@gradstream/tensor';
   * Rng.fromSeed(1).next() === Rng.fromSeed(1).next(); // true
   * ```
   */
  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed)) {
      // typeof, not the value itself, for what String() cannot convert (a null-prototype object, a symbol).
      const got = typeof seed === 'number' || typeof seed === 'string' || typeof seed === 'bigint' ? String(seed) : seed === null ? 'null' : typeof seed;
      throw new GradstreamError('INVALID_OPTION', `Rng.fromSeed: seed must be a safe integer, got ${got}`, { seed });
    }
    // xoroshiro128+ seeded directly with a small integer starts in a low-entropy state (its first
    // draws track the seed), so the seed is spread over all 128 bits with splitmix32 first.
    let s = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) | 0, 0x9e3779b9);
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    const state: number[] = [next(), next(), next(), next()];
    // An all-zero state would only ever produce zeros.
    if (!state.some((v) => v !== 0)) state[0] = 1;
    return new Rng(xoroshiro128plusFromState(state));
  }

  /**
   * A generator resumed from {@link Rng.state} (for checkpoints).
   *
   * @example
   * ```ts
   * import { Rng } from '@gradstream/tensor';
   * const a = Rng.fromSeed(3);
   * const b = Rng.fromState(a.state());
   * a.next() === b.next(); // true
   * ```
   */
  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 || !state.every(Number.isInteger)) {
      throw new GradstreamError('INVALID_OPTION', 'Rng.fromState: state must be 4 integers from Rng.state()', {
        state: [...state],
      });
    }
    return new Rng(xoroshiro128plusFromState(state));
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number {
    return uniformFloat64(this.gen);
  }

  /**
   * Uniform float in [min, max).
   *
   * @example
   * ```ts
   * import { Rng } from '@gradstream/tensor';
   * Rng.fromSeed(0).uniform(-1, 1);
   * ```
   */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Standard normal sample (Box–Muller; one sample per call so the state stays simple to save). */
  normal(): number {
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Uniform integer in [0, n).
   *
   * @example
   * ```ts
   * import { Rng } from '@gradstream/tensor';
   * Rng.fromSeed(0).int(10); // 0…9
   * ```
   */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new GradstreamError('INVALID_OPTION', `Rng.int: n must be a positive integer, got ${n}`, { n });
    }
    return uniformInt(this.gen, 0, n - 1);
  }

  /**
   * Shuffles an array in place (Fisher–Yates).
   *
   * @example
   * ```ts
   * import { Rng } from '@gradstream/tensor';
   * const order = Uint32Array.from([0, 1, 2, 3]);
   * Rng.fromSeed(7).shuffle(order);
   * ```
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /**
   * An independent generator for a sub-task such as dropout: the child takes the stretch 2⁶⁴ draws
   * ahead, and this generator moves 2·2⁶⁴ ahead, so its own draws and later forks never overlap the child's.
   *
   * @example
   * ```ts
   * import { Rng } from '@gradstream/tensor';
   * const dropoutRng = Rng.fromSeed(1).fork();
   * ```
   */
  fork(): Rng {
    const g = this.gen.clone();
    g.jump();
    // Move this generator two jumps ahead: the child owns the stretch between, and the next fork
    // gets a stretch of its own.
    this.gen.jump();
    this.gen.jump();
    return new Rng(g);
  }

  /** The internal state, serializable with JSON; see {@link Rng.fromState}. */
  state(): number[] {
    return [...this.gen.getState()];
  }

  /**
   * Puts this generator back into a state from {@link Rng.state}, in place (whoever holds it
   * draws the same numbers again).
   *
   * @example
   * ```ts
   * import { Rng } from '@gradstream/tensor';
   * const rng = Rng.fromSeed(3);
   * const saved = rng.state();
   * const a = rng.next();
   * rng.setState(saved);
   * rng.next() === a; // true
   * ```
   */
  setState(state: readonly number[]): void {
    this.gen = Rng.fromState(state).gen;
  }
}
