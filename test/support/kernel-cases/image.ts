import fc from 'fast-check';
import { Rng, type DType, type ImageKernels } from '@gradstream/tensor';
import { common, fuzz, values, type Common, type KernelFuzz } from '../kernel-fuzz.js';

/*
 * The image kernels against naive references written here: each output pixel's window is walked
 * tap by tap from the formula iy = oy·strideH − padTop + ky·dilationH, never by the kernels'
 * running positions. Geometry is TF's: 'valid' windows inside the image, 'same' padding of
 * ceil(h / stride) outputs with the extra row and column at the bottom and right. Copies and
 * maxima are exact; sums added in the order the contract fixes are exact too, the reference
 * rounding to the dtype after each addition as the kernels do; averages are within a few roundings.
 */

/** Sizes of an image and a window: batch 1 and more, odd sizes, channels around the SIMD width. */
const imageArb = fc.record({
  batch: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 4 })),
  h: fc.integer({ min: 1, max: 11 }),
  w: fc.integer({ min: 1, max: 11 }),
  c: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(1, 3, 4, 8, 15, 16, 17, 32, 33)),
  kh: fc.integer({ min: 1, max: 4 }),
  kw: fc.integer({ min: 1, max: 4 }),
  strideH: fc.integer({ min: 1, max: 3 }),
  strideW: fc.integer({ min: 1, max: 3 }),
  dilationH: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 3 })),
  dilationW: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 3 })),
  padding: fc.constantFrom<'valid' | 'same'>('valid', 'same'),
});
type ImageSizes = typeof imageArb extends fc.Arbitrary<infer T> ? T : never;
type ImageParams = Common & { readonly image: ImageSizes };

/** Where the windows sit: TF's output sizes and padding for the image (grown to fit a 'valid' window). */
interface Geometry {
  readonly batch: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outH: number;
  readonly outW: number;
}

function geometry(g: ImageSizes, pooling: boolean): Geometry {
  const dilationH = pooling ? 1 : g.dilationH;
  const dilationW = pooling ? 1 : g.dilationW;
  const spanH = (g.kh - 1) * dilationH + 1;
  const spanW = (g.kw - 1) * dilationW + 1;
  // A 'valid' window must fit: the image grows to the window's span where it is smaller.
  const h = g.padding === 'valid' ? Math.max(g.h, spanH) : g.h;
  const w = g.padding === 'valid' ? Math.max(g.w, spanW) : g.w;
  const side = (size: number, span: number, stride: number): { out: number; pad: number } => {
    if (g.padding === 'valid') return { out: Math.floor((size - span) / stride) + 1, pad: 0 };
    const out = Math.ceil(size / stride);
    return { out, pad: Math.floor(Math.max((out - 1) * stride + span - size, 0) / 2) };
  };
  const y = side(h, spanH, g.strideH);
  const x = side(w, spanW, g.strideW);
  return { ...g, h, w, dilationH, dilationW, padTop: y.pad, padLeft: x.pad, outH: y.out, outW: x.out };
}

/** The input pixel a tap reads, or -1 in the padding. */
const tapAt = (g: Geometry, n: number, oy: number, ox: number, ky: number, kx: number): number => {
  const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
  const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
  return iy < 0 || iy >= g.h || ix < 0 || ix >= g.w ? -1 : (n * g.h + iy) * g.w + ix;
};

/** Every output pixel (n, oy, ox) in order, with its index among the outputs. */
function eachOutput(g: Geometry, f: (n: number, oy: number, ox: number, o: number) => void): void {
  let o = 0;
  for (let n = 0; n < g.batch; n++) for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) f(n, oy, ox, o++);
}

/** The input pixels of a pooling window inside the image, in (ky, kx) order. */
function windowPixels(g: Geometry, n: number, oy: number, ox: number): number[] {
  const pixels: number[] = [];
  for (let ky = 0; ky < g.kh; ky++) {
    for (let kx = 0; kx < g.kw; kx++) {
      const p = tapAt(g, n, oy, ox, ky, kx);
      if (p >= 0) pixels.push(p);
    }
  }
  return pixels;
}

/** Rounds as a store into the dtype does. */
const rounding = (dtype: DType): ((v: number) => number) => (dtype === 'float32' ? Math.fround : (v) => v);

const sizes = (g: Geometry) => ({ image: g.batch * g.h * g.w * g.c, outputs: g.batch * g.outH * g.outW * g.c, rows: g.batch * g.outH * g.outW, patch: g.kh * g.kw * g.c });
const convArgs = (g: Geometry) => [g.batch, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW];
const poolArgs = (g: Geometry) => [g.batch, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW];

const imageParams = fc.record({ ...common, image: imageArb });

/** Fuzz cases of the image kernels, one per kernel, each against a naive float64 reference. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const IMAGE_CASES: { readonly [K in keyof ImageKernels]: KernelFuzz<any> } = {
  im2col: fuzz(imageParams, (p: ImageParams) => {
    const g = geometry(p.image, false);
    const s = sizes(g);
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { x: values(rng, s.image, -p.mag, p.mag), cols: values(rng, s.rows * s.patch, -1, 1) },
      args: (v) => [v.x, v.cols, ...convArgs(g)],
      reference: (i) => {
        const want = new Float64Array(s.rows * s.patch);
        let k = 0;
        eachOutput(g, (n, oy, ox) => {
          for (let ky = 0; ky < g.kh; ky++) {
            for (let kx = 0; kx < g.kw; kx++) {
              const pixel = tapAt(g, n, oy, ox, ky, kx);
              for (let ch = 0; ch < g.c; ch++) want[k++] = pixel < 0 ? 0 : i.x![pixel * g.c + ch]!;
            }
          }
        });
        return { cols: { want } };
      },
      sameBits: ['cols'],
    };
  }),
  col2im: fuzz(imageParams, (p: ImageParams) => {
    const g = geometry(p.image, false);
    const s = sizes(g);
    const rng = Rng.fromSeed(p.seed);
    const round = rounding(p.dtype);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { cols: values(rng, s.rows * s.patch, -p.mag, p.mag), dx: values(rng, s.image, -1, 1) },
      args: (v) => [v.cols, v.dx, ...convArgs(g)],
      reference: (i) => {
        const want = new Float64Array(s.image);
        let k = 0;
        eachOutput(g, (n, oy, ox) => {
          for (let ky = 0; ky < g.kh; ky++) {
            for (let kx = 0; kx < g.kw; kx++) {
              const pixel = tapAt(g, n, oy, ox, ky, kx);
              for (let ch = 0; ch < g.c; ch++, k++) if (pixel >= 0) want[pixel * g.c + ch] = round(want[pixel * g.c + ch]! + i.cols![k]!);
            }
          }
        });
        return { dx: { want } };
      },
      sameBits: ['dx'],
    };
  }),
  conv2dForward: fuzz(
    fc.record({ ...common, image: imageArb, filters: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(8, 16, 17, 33)), relu: fc.boolean() }),
    (p: ImageParams & { filters: number; relu: boolean }) => {
      const g = geometry(p.image, false);
      const s = sizes(g);
      const rng = Rng.fromSeed(p.seed);
      const f = p.filters;
      // identity and relu here, against the float64 convolution; every function, and equality with
      // im2col + matmul + biasUnary bit for bit on 1 and 2 threads, in test/fuzz-kernels.test.ts.
      const fn = p.relu ? 'relu' : 'identity';
      return {
        dtype: p.dtype,
        offset: p.offset,
        bufs: { x: values(rng, s.image, -p.mag, p.mag), weight: values(rng, f * s.patch, -1, 1), bias: values(rng, f, -p.mag, p.mag), out: values(rng, s.rows * f, -1, 1), cols: values(rng, s.rows * s.patch, -1, 1) },
        args: (v) => [v.x, v.weight, v.bias, v.out, v.cols, ...convArgs(g), f, fn, 0],
        reference: (i) => {
          const want = new Float64Array(s.rows * f);
          const scale = new Float64Array(s.rows * f);
          eachOutput(g, (n, oy, ox, o) => {
            for (let j = 0; j < f; j++) {
              let sum = 0;
              let size = 0;
              let t = j * s.patch;
              for (let ky = 0; ky < g.kh; ky++) {
                for (let kx = 0; kx < g.kw; kx++) {
                  const pixel = tapAt(g, n, oy, ox, ky, kx);
                  for (let ch = 0; ch < g.c; ch++, t++) {
                    if (pixel < 0) continue;
                    const term = i.x![pixel * g.c + ch]! * i.weight![t]!;
                    sum += term;
                    size += Math.abs(term);
                  }
                }
              }
              const z = sum + i.bias![j]!;
              want[o * f + j] = fn === 'relu' ? Math.max(0, z) : z;
              scale[o * f + j] = size + Math.abs(i.bias![j]!);
            }
          });
          // The product rounds once per tap (float32 chains) or per block of taps, then the bias once.
          return { out: { want, scale, ulps: s.patch + 4 } };
        },
      };
    },
  ),
  maxPool2d: fuzz(
    fc.record({ ...common, image: imageArb, levels: fc.constantFrom(0, 0, 3), nans: fc.array(fc.nat(), { maxLength: 2 }), negativeZeros: fc.boolean() }),
    (p: ImageParams & { levels: number; nans: number[]; negativeZeros: boolean }) => {
      const g = geometry(p.image, true);
      const s = sizes(g);
      const rng = Rng.fromSeed(p.seed);
      // Few levels make ties (the first pixel wins), ±0 among them; a NaN wins its windows.
      let x = values(rng, s.image, -p.mag, p.mag);
      if (p.levels > 0) x = x.map((v) => (Math.round((v / p.mag) * p.levels) / p.levels) * p.mag);
      if (p.negativeZeros) x = x.map((v, j) => (v === 0 && j % 2 === 1 ? -0 : v));
      for (const at of p.nans) x[at % s.image] = Number.NaN;
      return {
        dtype: p.dtype,
        offset: p.offset,
        bufs: { x, out: values(rng, s.outputs, -1, 1), argmax: values(rng, s.outputs, -1, 1) },
        args: (v) => [v.x, v.out, v.argmax, ...poolArgs(g)],
        reference: (i) => {
          const out = new Float64Array(s.outputs);
          const argmax = new Float64Array(s.outputs);
          eachOutput(g, (n, oy, ox, o) => {
            const pixels = windowPixels(g, n, oy, ox);
            for (let ch = 0; ch < g.c; ch++) {
              let best = Number.NaN;
              let at = -1;
              for (const pixel of pixels) {
                const v = i.x![pixel * g.c + ch]!;
                if (at < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
                  best = v;
                  at = pixel - n * g.h * g.w;
                }
              }
              out[o * g.c + ch] = best;
              argmax[o * g.c + ch] = at;
            }
          });
          return { out: { want: out }, argmax: { want: argmax } };
        },
        sameBits: ['out', 'argmax'],
      };
    },
  ),
  maxPool2dBackward: fuzz(imageParams, (p: ImageParams) => {
    const g = geometry(p.image, true);
    const s = sizes(g);
    const rng = Rng.fromSeed(p.seed);
    const round = rounding(p.dtype);
    // Any pixel of the image, so overlapping picks are summed; few pixels make many collide.
    const argmax = Float64Array.from({ length: s.outputs }, () => rng.int(g.h * g.w));
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { dy: values(rng, s.outputs, -p.mag, p.mag), argmax, dx: values(rng, s.image, -1, 1) },
      args: (v) => [v.dy, v.argmax, v.dx, g.batch, g.h, g.w, g.c, g.outH, g.outW],
      reference: (i) => {
        const want = new Float64Array(s.image);
        for (let o = 0; o < s.outputs; o++) {
          const n = Math.floor(o / (g.outH * g.outW * g.c));
          const d = (n * g.h * g.w + i.argmax![o]!) * g.c + (o % g.c);
          want[d] = round(want[d]! + i.dy![o]!);
        }
        return { dx: { want } };
      },
      sameBits: ['dx'],
    };
  }),
  avgPool2d: fuzz(imageParams, (p: ImageParams) => {
    const g = geometry(p.image, true);
    const s = sizes(g);
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { x: values(rng, s.image, -p.mag, p.mag), out: values(rng, s.outputs, -1, 1) },
      args: (v) => [v.x, v.out, ...poolArgs(g)],
      reference: (i) => {
        const want = new Float64Array(s.outputs);
        const scale = new Float64Array(s.outputs);
        eachOutput(g, (n, oy, ox, o) => {
          const pixels = windowPixels(g, n, oy, ox);
          for (let ch = 0; ch < g.c; ch++) {
            let sum = 0;
            let size = 0;
            for (const pixel of pixels) {
              sum += i.x![pixel * g.c + ch]!;
              size += Math.abs(i.x![pixel * g.c + ch]!);
            }
            want[o * g.c + ch] = sum / pixels.length;
            scale[o * g.c + ch] = size / pixels.length;
          }
        });
        // The sum rounds once per addition (relative to the terms' size), then 1/count and the product.
        return { out: { want, scale, ulps: g.kh * g.kw + 3 } };
      },
    };
  }),
  avgPool2dBackward: fuzz(imageParams, (p: ImageParams) => {
    const g = geometry(p.image, true);
    const s = sizes(g);
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { dy: values(rng, s.outputs, -p.mag, p.mag), dx: values(rng, s.image, -1, 1) },
      args: (v) => [v.dy, v.dx, ...poolArgs(g)],
      reference: (i) => {
        const want = new Float64Array(s.image);
        const scale = new Float64Array(s.image);
        eachOutput(g, (n, oy, ox, o) => {
          const pixels = windowPixels(g, n, oy, ox);
          for (const pixel of pixels) {
            for (let ch = 0; ch < g.c; ch++) {
              const share = i.dy![o * g.c + ch]! / pixels.length;
              const d = pixel * g.c + ch;
              want[d] = want[d]! + share;
              scale[d] = scale[d]! + Math.abs(share);
            }
          }
        });
        // Each share rounds twice (1/count, the product), and each addition once; a pixel lies in at most kh·kw windows.
        return { dx: { want, scale, ulps: g.kh * g.kw + 4 } };
      },
    };
  }),
};
