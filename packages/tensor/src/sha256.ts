/*
 * SHA-256 (FIPS 180-4), fed incrementally: the checksum of a checkpoint's tensors. Written here
 * rather than taken from a hashing library because it is all a checkpoint needs of one, and the
 * smallest such library costs 2.6 kB of the browser bundle's 60 kB budget against 0.5 kB for
 * this; a test holds it to Node's own SHA-256 on random inputs of every length around the
 * block boundaries.
 */

/**
 * The first 32 bits of the fractional part of each number's root (cube roots of the first 64
 * primes: the round constants; square roots of the first 8: the initial hash). Computed rather
 * than listed: 64-bit floats carry these roots exactly enough (a root below 7 needs 35
 * significant bits of its 53), and the test against Node's SHA-256 checks every one.
 */
function rootBits(count: number, root: (x: number) => number): Uint32Array {
  const out = new Uint32Array(count);
  for (let n = 2, found = 0; found < count; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
    if (prime) out[found++] = ((root(n) % 1) * 2 ** 32) >>> 0;
  }
  return out;
}

const K = rootBits(64, Math.cbrt);
const H0 = rootBits(8, Math.sqrt);

/**
 * An incremental SHA-256: {@link Sha256.update} with the bytes in as many pieces as they come,
 * then {@link Sha256.hex} once.
 *
 * @example
 * ```ts
 * import { Sha256 } from '@gradstream/tensor';
 * new Sha256().update(new TextEncoder().encode('abc')).hex();
 * // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export class Sha256 {
  private readonly h = H0.slice();
  private readonly w = new Uint32Array(64);
  /** The bytes of the block being filled. */
  private readonly block = new Uint8Array(64);
  private filled = 0;
  private length = 0;

  /** Adds bytes to the message; returns this hash, for chaining. */
  update(bytes: Uint8Array): this {
    this.length += bytes.length;
    let i = 0;
    if (this.filled > 0) {
      i = Math.min(64 - this.filled, bytes.length);
      this.block.set(bytes.subarray(0, i), this.filled);
      this.filled += i;
      if (this.filled < 64) return this;
      this.compress(this.block, 0);
      this.filled = 0;
    }
    for (; i + 64 <= bytes.length; i += 64) this.compress(bytes, i);
    this.block.set(bytes.subarray(i));
    this.filled = bytes.length - i;
    return this;
  }

  /** The digest of everything added, as 64 lowercase hex digits. The hash takes no more bytes after. */
  hex(): string {
    const bits = this.length * 8;
    const tail = new Uint8Array(this.filled < 56 ? 64 - this.filled : 128 - this.filled);
    tail[0] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(tail.length - 4, bits >>> 0);
    this.update(tail);
    let out = '';
    for (const word of this.h) out += word.toString(16).padStart(8, '0');
    return out;
  }

  private compress(bytes: Uint8Array, at: number): void {
    const { w, h } = this;
    for (let t = 0; t < 16; t++, at += 4) w[t] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15]!;
      const b = w[t - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = w[t - 16]! + s0 + w[t - 7]! + s1;
    }
    let [a, b, c, d, e, f, g, k] = h as unknown as [number, number, number, number, number, number, number, number];
    for (let t = 0; t < 64; t++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (k + s1 + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + k;
  }
}
