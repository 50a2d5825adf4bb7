import { describe, expect, it } from 'vitest';
import { Rng, Tensor, initSpecSchema, initialize, type InitSpec } from '../src/index.js';

function meanStd(xs: ArrayLike<number>): { mean: number; variance: number; std: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  const mean = s / xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += ((xs[i] as number) - mean) ** 2;
  const variance = ss / (xs.length - 1);
  return { mean, variance, std: Math.sqrt(variance) };
}

function filled(shape: number[], value: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const t = Tensor.zeros(shape, dtype);
  t.data.fill(value);
  return t;
}

describe('constant initializers', () => {
  const cases: Array<{ spec: InitSpec; value: number }> = [
    { spec: { type: 'zeros' }, value: 0 },
    { spec: { type: 'ones' }, value: 1 },
    { spec: { type: 'constant', value: 0.5 }, value: 0.5 },
    { spec: { type: 'constant', value: -2.25 }, value: -2.25 },
  ];

  for (const { spec, value } of cases) {
    it(`${JSON.stringify(spec)} overwrites every element with exactly ${value}`, () => {
      // Start from 7 so an initializer that skipped elements would leave them visible.
      const t = filled([3, 5], 7);
      initialize(spec, t, 3, 5, Rng.fromSeed(1));
      expect(Array.from(t.data)).toEqual(new Array<number>(15).fill(value));
    });
  }

  it('does not draw from the rng, so the random stream is not shifted', () => {
    const rng = Rng.fromSeed(1);
    const before = rng.state();
    initialize({ type: 'zeros' }, filled([4], 3), 4, 4, rng);
    initialize({ type: 'ones' }, filled([4], 3), 4, 4, rng);
    initialize({ type: 'constant', value: 2 }, filled([4], 3), 4, 4, rng);
    expect(rng.state()).toEqual(before);
  });
});

describe('glorotUniform', () => {
  // fanIn 300, fanOut 200: limit = sqrt(6 / 500) = sqrt(0.012) ≈ 0.10954; variance of U(−limit, limit) = limit²/3 = 0.004.
  const fanIn = 300;
  const fanOut = 200;
  const limit = Math.sqrt(6 / (fanIn + fanOut));

  it('draws every value within ±sqrt(6/(fanIn+fanOut)) and spans that range', () => {
    const t = Tensor.zeros([fanIn, fanOut], 'float64');
    initialize({ type: 'glorotUniform' }, t, fanIn, fanOut, Rng.fromSeed(5));
    let min = Infinity;
    let max = -Infinity;
    for (const v of t.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(-limit);
    expect(max).toBeLessThanOrEqual(limit);
    // With 60 000 draws, P(max < 0.99·limit) = 0.995^60000 ≈ 1e-131: the range must really reach ±limit.
    expect(max).toBeGreaterThan(0.99 * limit);
    expect(min).toBeLessThan(-0.99 * limit);
  });

  it('has mean ≈ 0 and variance ≈ limit²/3', () => {
    const t = Tensor.zeros([fanIn, fanOut], 'float64');
    initialize({ type: 'glorotUniform' }, t, fanIn, fanOut, Rng.fromSeed(6));
    const { mean, variance } = meanStd(t.data);
    const expectedVar = (limit * limit) / 3;
    expect(expectedVar).toBeCloseTo(0.004, 12);
    // SE(mean) = sqrt(0.004/60000) ≈ 2.6e-4; 0.0015 is about 6 SE.
    expect(Math.abs(mean)).toBeLessThan(0.0015);
    // SE(variance) = sqrt((a⁴/5 − a⁴/9)/n) ≈ 1.5e-5 ≈ 0.37 % of 0.004; allow 2 % (about 5.5 SE).
    expect(Math.abs(variance / expectedVar - 1)).toBeLessThan(0.02);
  });

  it('stays within the limit when stored as float32', () => {
    const t = Tensor.zeros([fanIn, fanOut]);
    initialize({ type: 'glorotUniform' }, t, fanIn, fanOut, Rng.fromSeed(5));
    // Rounding to float32 can move a value by at most half an ulp, well below limit·2^-23.
    const bound = limit * (1 + 2 ** -23);
    expect(t.data.every((v) => Math.abs(v) <= bound)).toBe(true);
  });
});

describe('heNormal', () => {
  // fanIn 250: std = sqrt(2/250) = sqrt(0.008) ≈ 0.089443.
  const fanIn = 250;
  const fanOut = 200;
  const std = Math.sqrt(2 / fanIn);

  it('has mean ≈ 0 and std ≈ sqrt(2/fanIn)', () => {
    const t = Tensor.zeros([fanIn, fanOut], 'float64');
    initialize({ type: 'heNormal' }, t, fanIn, fanOut, Rng.fromSeed(12));
    const m = meanStd(t.data);
    // SE(mean) = std/sqrt(50000) ≈ 4.0e-4; 0.0025 is about 6 SE.
    expect(Math.abs(m.mean)).toBeLessThan(0.0025);
    // SE(std) ≈ std/sqrt(2n) ≈ 0.32 % of std; allow 2 % (about 6 SE).
    expect(Math.abs(m.std / std - 1)).toBeLessThan(0.02);
  });

  it('ignores fanOut', () => {
    const a = Tensor.zeros([50]);
    const b = Tensor.zeros([50]);
    initialize({ type: 'heNormal' }, a, fanIn, 10, Rng.fromSeed(3));
    initialize({ type: 'heNormal' }, b, fanIn, 1000, Rng.fromSeed(3));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });
});

describe('other random initializers', () => {
  it('glorotNormal has std ≈ sqrt(2/(fanIn+fanOut))', () => {
    // fanIn 120, fanOut 80: std = sqrt(2/200) = 0.1.
    const t = Tensor.zeros([400, 125], 'float64');
    initialize({ type: 'glorotNormal' }, t, 120, 80, Rng.fromSeed(21));
    const m = meanStd(t.data);
    expect(Math.abs(m.mean)).toBeLessThan(0.003);
    expect(Math.abs(m.std / 0.1 - 1)).toBeLessThan(0.02);
  });

  it('heUniform stays within ±sqrt(6/fanIn)', () => {
    // fanIn 24: limit = sqrt(0.25) = 0.5.
    const t = Tensor.zeros([10_000], 'float64');
    initialize({ type: 'heUniform' }, t, 24, 1000, Rng.fromSeed(22));
    const { variance } = meanStd(t.data);
    expect(t.data.every((v) => v >= -0.5 && v <= 0.5)).toBe(true);
    // Variance 0.25/3 ≈ 0.0833; SE ≈ 0.5 %, allow 3 %.
    expect(Math.abs(variance / (0.25 / 3) - 1)).toBeLessThan(0.03);
  });

  it('uniform defaults to [-0.05, 0.05) and honours min/max', () => {
    const d = Tensor.zeros([5000], 'float64');
    initialize({ type: 'uniform' }, d, 1, 1, Rng.fromSeed(23));
    expect(d.data.every((v) => v >= -0.05 && v < 0.05)).toBe(true);
    const c = Tensor.zeros([5000], 'float64');
    initialize({ type: 'uniform', min: 2, max: 3 }, c, 1, 1, Rng.fromSeed(23));
    expect(c.data.every((v) => v >= 2 && v < 3)).toBe(true);
    // Mean of U(2,3) is 2.5; SE = sqrt(1/12/5000) ≈ 0.0041, so 0.02 is about 5 SE.
    expect(Math.abs(meanStd(c.data).mean - 2.5)).toBeLessThan(0.02);
  });

  it('normal honours mean and std', () => {
    const t = Tensor.zeros([20_000], 'float64');
    initialize({ type: 'normal', mean: 3, std: 2 }, t, 1, 1, Rng.fromSeed(24));
    const m = meanStd(t.data);
    // SE(mean) = 2/sqrt(20000) ≈ 0.014; SE(std) ≈ 2/sqrt(40000) = 0.01. Allow about 5 SE.
    expect(Math.abs(m.mean - 3)).toBeLessThan(0.07);
    expect(Math.abs(m.std - 2)).toBeLessThan(0.05);
  });
});

describe('reproducibility', () => {
  const specs: InitSpec[] = [
    { type: 'uniform' },
    { type: 'normal' },
    { type: 'glorotUniform' },
    { type: 'glorotNormal' },
    { type: 'heUniform' },
    { type: 'heNormal' },
  ];

  for (const spec of specs) {
    it(`${spec.type}: the same seed reproduces the values, another seed does not`, () => {
      const run = (seed: number): number[] => {
        const t = Tensor.zeros([8, 16]);
        initialize(spec, t, 8, 16, Rng.fromSeed(seed));
        return Array.from(t.data);
      };
      const a = run(77);
      expect(run(77)).toEqual(a);
      const b = run(78);
      expect(b).not.toEqual(a);
      // Known weakness (reported, not fixed here): Rng.fromSeed does not scramble the seed, so the first
      // draw of neighbouring seeds is ≈ 1 − seed·2^-26 and can coincide after float32 rounding. Every
      // later draw must differ.
      expect(b.slice(1).filter((v, i) => v === a[i + 1])).toEqual([]);
      // Not a constant fill: 128 draws from a continuous distribution are all distinct.
      expect(new Set(a).size).toBe(128);
    });
  }
});

// ajv is a dependency of @gradstream/graph, not of this package; when it does not resolve from here the
// schema checks are skipped. The specifier is held in a variable so neither Vite nor tsc resolves it eagerly.
const ajvSpecifier = 'ajv';
type Validate = ((data: unknown) => boolean) & { errors?: unknown };
type AjvLike = { compile(schema: unknown): Validate };
const AjvClass = await import(/* @vite-ignore */ ajvSpecifier).then(
  (m: { Ajv?: new () => AjvLike; default?: { Ajv?: new () => AjvLike } }) => m.Ajv ?? m.default?.Ajv,
  () => undefined,
);

describe.skipIf(AjvClass === undefined)('initSpecSchema (compiled with ajv)', () => {
  const validate = (): Validate => {
    if (AjvClass === undefined) throw new Error('unreachable: ajv is missing');
    return new AjvClass().compile(initSpecSchema);
  };

  it('accepts every valid spec form', () => {
    const v = validate();
    const valid: InitSpec[] = [
      { type: 'zeros' },
      { type: 'ones' },
      { type: 'constant', value: 0.5 },
      { type: 'uniform' },
      { type: 'uniform', min: -1, max: 1 },
      { type: 'normal' },
      { type: 'normal', mean: 0, std: 0.1 },
      { type: 'glorotUniform' },
      { type: 'glorotNormal' },
      { type: 'heUniform' },
      { type: 'heNormal' },
    ];
    for (const spec of valid) expect(v(spec), JSON.stringify(spec)).toBe(true);
  });

  it('rejects malformed specs, including constant without value', () => {
    const v = validate();
    const invalid: unknown[] = [
      { type: 'constant' },
      { type: 'constant', value: 'one' },
      { type: 'normal', std: -1 },
      { type: 'zeros', value: 1 },
      { type: 'uniform', lo: 0 },
      { type: 'xavier' },
      {},
      'zeros',
    ];
    for (const spec of invalid) expect(v(spec), JSON.stringify(spec)).toBe(false);
  });
});
