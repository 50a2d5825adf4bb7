import { describe, expect, it } from 'vitest';
import {
  Rng,
  SourceBindings,
  UNARY_NAMES,
  UNARY_OPS,
  addRowBroadcast,
  sumRows,
  tsBackend,
  unaryKernels,
  type DType,
  type TypedArray,
  type UnaryDefinition,
} from '../src/index.js';
import { interpret, interpretedUnaryKernels } from '../src/reference.js';

/** Values at the edges every kernel must agree on, then ordinary ones. */
const SPECIAL = [Number.NaN, 0, -0, Infinity, -Infinity, 1e-30, -1e-30, 50, -50, 1000, -1000];
const SIZES = [1, 7, 33, 129];

const make = (dtype: DType, n: number): TypedArray => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
/** Elements as strings, so NaN equals NaN and −0 differs from +0. */
const bits = (a: TypedArray): string[] => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v)));

/** A buffer of `n` values: the special ones first, then seeded draws in [−4, 4]. */
function values(dtype: DType, n: number, rng: Rng): TypedArray {
  const a = make(dtype, n);
  for (let i = 0; i < n; i++) a[i] = i < SPECIAL.length ? (SPECIAL[i] as number) : rng.uniform(-4, 4);
  return a;
}

const P = 0.2;
const param = (def: UnaryDefinition): number => (def.param === undefined ? 0 : P);

describe('elementwise functions: one definition, every kernel', () => {
  for (const name of UNARY_NAMES) {
    const def: UnaryDefinition = UNARY_OPS[name];
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${name} (${dtype}): generated kernels equal the interpreted definition, specials included`, () => {
        const rng = Rng.fromSeed(1);
        const x = values(dtype, 40, rng);
        const dy = values(dtype, 40, rng).reverse();
        const gen = unaryKernels(name, dtype);
        const ref = interpretedUnaryKernels(name, dtype);
        const [a, b] = [make(dtype, 40), make(dtype, 40)];
        gen.forward(x, a, param(def));
        ref.forward(x, b, param(def));
        expect(bits(a)).toEqual(bits(b));
        const s = def.saves === 'y' ? a.slice() : x;
        gen.backward(s, dy, a.fill(7), param(def));
        ref.backward(s, dy, b.fill(9), param(def));
        expect(bits(a)).toEqual(bits(b));
      });

      for (const rows of SIZES) {
        it(`${name} (${dtype}, ${rows}×7): fused bias kernels equal addRowBroadcast → f and f′ → sumRows bit for bit`, () => {
          const cols = 7;
          const rng = Rng.fromSeed(rows);
          const z = values(dtype, rows * cols, rng);
          const bias = values(dtype, cols, rng).reverse();
          const dy = values(dtype, rows * cols, rng).reverse();
          const p = param(def);
          // separate
          const pre = make(dtype, rows * cols);
          addRowBroadcast(z, bias, pre, rows, cols);
          const y = make(dtype, rows * cols);
          tsBackend.unary(name, pre, y, p);
          const saved = def.saves === 'y' ? y : pre;
          const dz = make(dtype, rows * cols);
          tsBackend.unaryBackward(name, saved, dy, dz, p);
          const db = make(dtype, cols);
          sumRows(dz, db, rows, cols);
          // fused, with stale outputs that must be overwritten
          const yF = make(dtype, rows * cols).fill(5);
          tsBackend.biasUnary(name, z, bias, yF, rows, cols, p);
          const dzF = make(dtype, rows * cols).fill(5);
          const dbF = make(dtype, cols).fill(5);
          tsBackend.unaryBiasBackward(name, saved, dy, dzF, dbF, rows, cols, p);
          expect(bits(yF)).toEqual(bits(y));
          expect(bits(dzF)).toEqual(bits(dz));
          expect(bits(dbF)).toEqual(bits(db));
          // in place over z, as dense writes it
          const inPlace = Float64Array.from(z);
          const zz = dtype === 'float32' ? Float32Array.from(inPlace) : inPlace;
          tsBackend.biasUnary(name, zz, bias, zz, rows, cols, p);
          expect(bits(zz)).toEqual(bits(y));
        });
      }

      it(`${name} (${dtype}): the loops a plan writes in place compute what the kernels compute`, () => {
        const rng = Rng.fromSeed(3);
        for (const n of [1, 7, 33]) {
          const x = values(dtype, n, rng);
          const dy = values(dtype, n, rng).reverse();
          const bias = values(dtype, 1, rng);
          const want = { y: make(dtype, n), dx: make(dtype, n), by: make(dtype, n), dz: make(dtype, n), db: make(dtype, 1) };
          const got = { y: make(dtype, n), dx: make(dtype, n), by: make(dtype, n), dz: make(dtype, n), db: make(dtype, 1) };
          const run = (o: typeof want, b: typeof tsBackend | ((call: { kernel: 'unary' | 'unaryBackward' | 'biasUnary' | 'unaryBiasBackward'; args: unknown[] }) => void)) => {
            const calls = [
              { kernel: 'unary' as const, args: [name, x, o.y, param(def)] },
              { kernel: 'unaryBackward' as const, args: [name, def.saves === 'y' ? o.y : x, dy, o.dx, param(def)] },
              { kernel: 'biasUnary' as const, args: [name, x, bias, o.by, n, 1, param(def)] },
              { kernel: 'unaryBiasBackward' as const, args: [name, x, dy, o.dz, o.db, n, 1, param(def)] },
            ];
            for (const c of calls) {
              if (typeof b === 'function') b(c);
              else (b[c.kernel] as (...a: unknown[]) => void)(...c.args);
            }
          };
          run(want, tsBackend);
          run(got, (call) => {
            const sb = new SourceBindings();
            const statement = tsBackend.renderCall(call, sb);
            // small sizes are written out as loops, not calls
            expect(statement.startsWith('{')).toBe(true);
            sb.instantiate<() => void>(`return function () { ${statement} };`, 'test')!();
          });
          for (const k of Object.keys(want) as (keyof typeof want)[]) expect(bits(got[k]), `${k} n=${n}`).toEqual(bits(want[k]));
        }
      });
    }
  }

  it('holds the conventions at the edges', () => {
    const f = (name: (typeof UNARY_NAMES)[number], x: number, p = 0): number => interpret(UNARY_OPS[name].forward)({ x, y: 0, dy: 0, p });
    expect(Number.isNaN(f('relu', Number.NaN))).toBe(true);
    expect(Object.is(f('relu', -0), -0)).toBe(true);
    expect([f('relu', -Infinity), f('relu', Infinity)]).toEqual([0, Infinity]);
    expect([f('sigmoid', Infinity), f('sigmoid', -Infinity), f('sigmoid', 0), f('sigmoid', -1000)]).toEqual([1, 0, 0.5, 0]);
    expect(Number.isNaN(f('sigmoid', Number.NaN))).toBe(true);
    expect([f('tanh', Infinity), f('tanh', -Infinity)]).toEqual([1, -1]);
    expect([f('leakyRelu', -2, 0.1), f('leakyRelu', 3, 0.1)]).toEqual([-0.2, 3]);
    const d = (name: (typeof UNARY_NAMES)[number], s: number, dy: number): number => interpret(UNARY_OPS[name].backward)({ x: s, y: s, dy, p: 0 });
    // relu's derivative at its kink is 0
    expect([d('relu', 0, 5), d('relu', 2, 5)]).toEqual([0, 5]);
    expect(d('sigmoid', 0.5, 1)).toBe(0.25);
  });

  it('names every function once, with a description', () => {
    expect(new Set(UNARY_NAMES).size).toBe(UNARY_NAMES.length);
    for (const name of UNARY_NAMES) expect(UNARY_OPS[name].description.length).toBeGreaterThan(3);
    expect(() => unaryKernels('nope' as 'relu', 'float32')).toThrow(/unknown elementwise function "nope"/);
  });
});
