import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sha256, decodeBase64, encodeBase64 } from '../src/index.js';

const nodeSha256 = (parts: readonly Uint8Array[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('Sha256', () => {
  it('gives the FIPS 180-4 digests of the standard messages', () => {
    const text = (s: string): string => new Sha256().update(new TextEncoder().encode(s)).hex();
    expect(text('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(text('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it("equals Node's SHA-256 for every length around the block and padding boundaries, in one piece", () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 255);
      expect(new Sha256().update(bytes).hex(), `${n} bytes`).toBe(nodeSha256([bytes]));
    }
  });

  it("equals Node's SHA-256 for random messages fed in random pieces", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (parts) => {
        const h = new Sha256();
        for (const p of parts) h.update(p);
        expect(h.hex()).toBe(nodeSha256(parts));
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});

describe('encodeBase64 / decodeBase64', () => {
  it("equal Node's base64 both ways on random bytes, lengths across the chunking", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(text)).toEqual(bytes);
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it('take a checkpoint-sized text (8 MB of bytes) both ways', () => {
    const bytes = new Uint8Array(8 * 2 ** 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    const text = encodeBase64(bytes);
    // Compared as buffers: an element-by-element deep equality of 8 M bytes takes minutes.
    expect(text === Buffer.from(bytes).toString('base64')).toBe(true);
    expect(Buffer.from(decodeBase64(text)).equals(Buffer.from(bytes))).toBe(true);
    expect(new Sha256().update(bytes).hex()).toBe(nodeSha256([bytes]));
  });

  it('refuse text that is not padded standard base64, saying why', () => {
    expect(() => decodeBase64('AQI')).toThrow('length 3 is not a multiple of 4');
    expect(() => decodeBase64('AQ!D')).toThrow('invalid character "!" at 2');
    expect(() => decodeBase64('AQ D')).toThrow('invalid character " " at 2');
    expect(() => decodeBase64('A=QD')).toThrow('misplaced padding');
    expect(() => decodeBase64('AQ=D')).toThrow('misplaced padding');
    expect(() => decodeBase64('AQD=AQD=')).toThrow('misplaced padding');
    expect(() => decodeBase64('AQ-_')).toThrow('invalid character "-" at 2');
  });
});
