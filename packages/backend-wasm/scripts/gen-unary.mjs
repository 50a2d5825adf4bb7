#!/usr/bin/env node
// Writes assembly/generated/unary.ts: the four SIMD128 kernels of every elementwise function of
// UNARY_OPS (unary_F, unaryBackward_F, biasUnary_F, unaryBiasBackward_F), rendered from the one
// definition of each function (its forward and backward expression trees, see
// packages/tensor/src/math/expr.ts and unary-ops.ts).
//
//   node scripts/gen-unary.mjs            (needs packages/tensor/dist: npx tsc -b packages/tensor)
//
// One walk of an expression emits two forms at once: a vector form over v128 (f32x4 lanes) for the
// 4-at-a-time loop and a scalar f32 form for the ragged tail. Every node maps to the same IEEE
// operation in both forms (f32x4.add ↔ f32 +, v128.bitselect on f32x4.lt ↔ select<f32> on <, the
// transcendental twins expV ↔ expS of unary-math.ts, …), so an element gets the same bits whichever
// loop computes it — which is also what makes the fused bias kernels equal to their separate ops.
// A select evaluates both arms (as the expression language intends: an arm may be NaN or ∞, never a
// trap); comparisons are false on NaN in both forms, as in JavaScript. One exact rewrite: arms that
// apply the same operator to a common operand share it (select(c, 1/d, t/d) → select(c, 1, t)/d),
// which computes the same operation on the same operands per lane, one division fewer.
// Main loops take UNROLL vectors per step (independent dependency chains side by side), then
// single vectors, then the scalar tail.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tensorDist = join(pkgDir, '..', 'tensor', 'dist', 'index.js');

/** A float literal AssemblyScript reads back as the same double, then rounds to f32. */
function f32Literal(v) {
  if (Number.isNaN(v)) return '<f32>NaN';
  if (v === Infinity) return '<f32>Infinity';
  if (v === -Infinity) return '<f32>(-Infinity)';
  if (Object.is(v, -0)) return '<f32>(-0.0)';
  let s = String(v);
  if (!/[.eE]/.test(s)) s += '.0';
  return v < 0 ? `<f32>(${s})` : `<f32>${s}`;
}

const VECTOR_CALL = { neg: 'f32x4.neg', abs: 'f32x4.abs', sqrt: 'f32x4.sqrt', exp: 'expV', log: 'logV', log1p: 'log1pV', tanh: 'tanhV' };
const SCALAR_CALL = { neg: null, abs: 'abs<f32>', sqrt: 'sqrt<f32>', exp: 'expS', log: 'logS', log1p: 'log1pS', tanh: 'tanhS' };
const VECTOR_OP = { '+': 'f32x4.add', '-': 'f32x4.sub', '*': 'f32x4.mul', '/': 'f32x4.div' };
const VECTOR_CMP = { '<': 'f32x4.lt', '<=': 'f32x4.le', '>': 'f32x4.gt', '>=': 'f32x4.ge' };

/**
 * Renders an expression in both forms. `vars` maps each variable (x, y, dy) to its local name; p
 * reads `pV` (vector) / `pS` (scalar). Returns the statements declaring the let-bound locals and
 * the value, for each form.
 */
function render(expr, vars) {
  const vStmts = [];
  const sStmts = [];
  let counter = 0;
  const go = (n, scope) => {
    switch (n.kind) {
      case 'num': {
        const lit = f32Literal(n.value);
        return { v: `f32x4.splat(${lit})`, s: `(${lit})` };
      }
      case 'var': {
        if (n.name === 'p') return { v: 'pV', s: 'pS' };
        const name = vars[n.name];
        if (name === undefined) throw new RangeError(`expression reads ${n.name}, which this kernel does not have`);
        return { v: `${name}V`, s: `${name}S` };
      }
      case 'local': {
        const id = scope.get(n.name);
        if (id === undefined) throw new RangeError(`expression reads ${n.name} before its let`);
        return { v: `${id}V`, s: `${id}S` };
      }
      case 'call': {
        const a = go(n.arg, scope);
        const sc = SCALAR_CALL[n.fn];
        if (!(n.fn in VECTOR_CALL)) throw new RangeError(`unknown function ${n.fn}`);
        return { v: `${VECTOR_CALL[n.fn]}(${a.v})`, s: sc === null ? `(-${a.s})` : `${sc}(${a.s})` };
      }
      case 'binary': {
        const a = go(n.a, scope);
        const b = go(n.b, scope);
        if (!(n.op in VECTOR_OP)) throw new RangeError(`unknown operator ${n.op}`);
        return { v: `${VECTOR_OP[n.op]}(${a.v}, ${b.v})`, s: `(${a.s} ${n.op} ${b.s})` };
      }
      case 'select': {
        // select(c, X ∘ Z, Y ∘ Z) → select(c, X, Y) ∘ Z (and Z ∘ X, Z ∘ Y likewise): each lane
        // computes the same single operation on the same operands either way, so the value is
        // bit-identical, and one of the two (e.g. sigmoid's divisions) is saved.
        const t0 = n.then, e0 = n.else;
        if (t0.kind === 'binary' && e0.kind === 'binary' && t0.op === e0.op) {
          const same = (p, q) => JSON.stringify(p) === JSON.stringify(q);
          if (same(t0.b, e0.b)) return go({ kind: 'binary', op: t0.op, a: { ...n, then: t0.a, else: e0.a }, b: t0.b }, scope);
          if (same(t0.a, e0.a)) return go({ kind: 'binary', op: t0.op, a: t0.a, b: { ...n, then: t0.b, else: e0.b } }, scope);
        }
        const a = go(n.a, scope);
        const b = go(n.b, scope);
        const t = go(n.then, scope);
        const e = go(n.else, scope);
        if (!(n.cmp in VECTOR_CMP)) throw new RangeError(`unknown comparison ${n.cmp}`);
        return { v: `v128.bitselect(${t.v}, ${e.v}, ${VECTOR_CMP[n.cmp]}(${a.v}, ${b.v}))`, s: `select<f32>(${t.s}, ${e.s}, ${a.s} ${n.cmp} ${b.s})` };
      }
      case 'let': {
        const value = go(n.value, scope);
        const id = `l${counter++}_${n.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
        vStmts.push(`const ${id}V = ${value.v};`);
        sStmts.push(`const ${id}S = ${value.s};`);
        const inner = new Map(scope);
        inner.set(n.name, id);
        return go(n.body, inner);
      }
      default:
        throw new RangeError(`unknown expression node ${JSON.stringify(n)}`);
    }
  };
  const value = go(expr, new Map());
  return { vStmts, sStmts, v: value.v, s: value.s };
}

const INLINE = '// @ts-ignore: decorator\n@inline\n';

/**
 * Vectors per step of the main loops. The transcendental bodies are long dependency chains, and
 * independent vectors side by side let the core overlap them (and share the constants V8
 * rematerialises each iteration); the 1-vector loop and the scalar tail finish the rest.
 */
const UNROLL = Number(process.env.GEN_UNROLL ?? 4);
/** The unrolled step: all computations first, then all stores (`out` may alias an input). */
const unrolled = (compute, storeFn) => [...Array(UNROLL).keys()].map(compute).concat([...Array(UNROLL).keys()].map(storeFn)).join('\n');

function opSource(def, name) {
  const saved = def.saves; // 'x' or 'y'
  const fwd = render(def.forward, { x: 'x' });
  const bwd = render(def.backward, { [saved]: saved, dy: 'dy' });
  const body = (stmts, value) => [...stmts.map((s) => `  ${s}`), `  return ${value};`].join('\n');
  const title = `${name}: ${def.description}${def.param ? ` (p = ${def.param.name}, default ${def.param.default})` : ''}; backward reads ${saved}`;
  return `
// ---------------------------------------------------------------- ${title}

${INLINE}function ${name}_fV(xV: v128, pV: v128): v128 {
${body(fwd.vStmts, fwd.v)}
}

${INLINE}function ${name}_fS(xS: f32, pS: f32): f32 {
${body(fwd.sStmts, fwd.s)}
}

${INLINE}function ${name}_bV(${saved}V: v128, dyV: v128, pV: v128): v128 {
${body(bwd.vStmts, bwd.v)}
}

${INLINE}function ${name}_bS(${saved}S: f32, dyS: f32, pS: f32): f32 {
${body(bwd.sStmts, bwd.s)}
}

/** \`out[i] = ${name}(x[i])\`, i < n. \`out\` may be \`x\`. */
export function unary_${name}(x: usize, out: usize, n: i32, p: f64): void {
  if (n <= 0) return;
  const pS = <f32>p, pV = f32x4.splat(pS);
  const endU = <usize>(n & ~${UNROLL * 4 - 1}) << 2, end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < endU; i += ${UNROLL * 16}) {
${unrolled((k) => `    const v${k} = ${name}_fV(v128.load(x + i, ${k * 16}), pV);`, (k) => `    v128.store(out + i, v${k}, ${k * 16});`)}
  }
  for (; i < end4; i += 16) v128.store(out + i, ${name}_fV(v128.load(x + i), pV));
  for (; i < end; i += 4) store<f32>(out + i, ${name}_fS(load<f32>(x + i), pS));
}

/** \`dx[i] = ${name}′ applied to dy[i]\` from the saved ${saved}, i < n. \`dx\` may be \`dy\`. */
export function unaryBackward_${name}(s: usize, dy: usize, dx: usize, n: i32, p: f64): void {
  if (n <= 0) return;
  const pS = <f32>p, pV = f32x4.splat(pS);
  const endU = <usize>(n & ~${UNROLL * 4 - 1}) << 2, end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < endU; i += ${UNROLL * 16}) {
${unrolled((k) => `    const v${k} = ${name}_bV(v128.load(s + i, ${k * 16}), v128.load(dy + i, ${k * 16}), pV);`, (k) => `    v128.store(dx + i, v${k}, ${k * 16});`)}
  }
  for (; i < end4; i += 16) v128.store(dx + i, ${name}_bV(v128.load(s + i), v128.load(dy + i), pV));
  for (; i < end; i += 4) store<f32>(dx + i, ${name}_bS(load<f32>(s + i), load<f32>(dy + i), pS));
}

/** \`out[r, c] = ${name}(z[r, c] + bias[c])\` (the sum rounded to f32 first); \`out\` may be \`z\`. */
export function biasUnary_${name}(z: usize, bias: usize, out: usize, rows: i32, cols: i32, p: f64): void {
  if (rows <= 0 || cols <= 0) return;
  const pS = <f32>p, pV = f32x4.splat(pS);
  const rowBytes = <usize>cols << 2, endU = <usize>(cols & ~${UNROLL * 4 - 1}) << 2, end4 = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const zr = z + <usize>r * rowBytes, outr = out + <usize>r * rowBytes;
    let c: usize = 0;
    for (; c < endU; c += ${UNROLL * 16}) {
${unrolled((k) => `      const v${k} = ${name}_fV(f32x4.add(v128.load(zr + c, ${k * 16}), v128.load(bias + c, ${k * 16})), pV);`, (k) => `      v128.store(outr + c, v${k}, ${k * 16});`)}
    }
    for (; c < end4; c += 16) v128.store(outr + c, ${name}_fV(f32x4.add(v128.load(zr + c), v128.load(bias + c)), pV));
    for (; c < rowBytes; c += 4) store<f32>(outr + c, ${name}_fS(load<f32>(zr + c) + load<f32>(bias + c), pS));
  }
}

/**
 * \`dz = ${name}′ ⊙ dy\` from the saved ${saved} and \`dbias[c] = Σ_r dz[r, c]\`: the first row assigned, then
 * rows added in order, so equal bit for bit to unaryBackward_${name} then sumRows. rows = 0 zeroes dbias.
 */
export function unaryBiasBackward_${name}(s: usize, dy: usize, dz: usize, dbias: usize, rows: i32, cols: i32, p: f64): void {
  if (cols <= 0) return;
  const rowBytes = <usize>cols << 2, endU = <usize>(cols & ~${UNROLL * 4 - 1}) << 2, end4 = <usize>(cols & ~3) << 2;
  if (rows <= 0) {
    memory.fill(dbias, 0, rowBytes);
    return;
  }
  const pS = <f32>p, pV = f32x4.splat(pS);
  let c: usize = 0;
  for (; c < endU; c += ${UNROLL * 16}) {
${unrolled((k) => `    const d${k} = ${name}_bV(v128.load(s + c, ${k * 16}), v128.load(dy + c, ${k * 16}), pV);`, (k) => `    v128.store(dz + c, d${k}, ${k * 16});\n    v128.store(dbias + c, d${k}, ${k * 16});`)}
  }
  for (; c < end4; c += 16) {
    const d = ${name}_bV(v128.load(s + c), v128.load(dy + c), pV);
    v128.store(dz + c, d);
    v128.store(dbias + c, d);
  }
  for (; c < rowBytes; c += 4) {
    const d = ${name}_bS(load<f32>(s + c), load<f32>(dy + c), pS);
    store<f32>(dz + c, d);
    store<f32>(dbias + c, d);
  }
  for (let r = 1; r < rows; r++) {
    const o = <usize>r * rowBytes;
    const sr = s + o, gr = dy + o, dr = dz + o;
    c = 0;
    for (; c < endU; c += ${UNROLL * 16}) {
${unrolled((k) => `      const d${k} = ${name}_bV(v128.load(sr + c, ${k * 16}), v128.load(gr + c, ${k * 16}), pV);`, (k) => `      v128.store(dr + c, d${k}, ${k * 16});\n      v128.store(dbias + c, f32x4.add(v128.load(dbias + c, ${k * 16}), d${k}), ${k * 16});`)}
    }
    for (; c < end4; c += 16) {
      const d = ${name}_bV(v128.load(sr + c), v128.load(gr + c), pV);
      v128.store(dr + c, d);
      v128.store(dbias + c, f32x4.add(v128.load(dbias + c), d));
    }
    for (; c < rowBytes; c += 4) {
      const d = ${name}_bS(load<f32>(sr + c), load<f32>(gr + c), pS);
      store<f32>(dr + c, d);
      store<f32>(dbias + c, load<f32>(dbias + c) + d);
    }
  }
}
`;
}

/**
 * The AssemblyScript module of the kernels of every function `names` of `ops` (a table shaped like
 * UNARY_OPS), importing the lane helpers from `mathImport`.
 */
export function renderUnaryModule(ops, names, mathImport = '../unary-math') {
  const header = `// GENERATED FILE — do not edit. Written by packages/backend-wasm/scripts/gen-unary.mjs from
// UNARY_OPS (packages/tensor/src/math/unary-ops.ts), the one definition of each elementwise
// function; regenerate with \`node scripts/gen-unary.mjs\` after changing it.
//
// For every function F: unary_F(x, out, n, p) · unaryBackward_F(s, dy, dx, n, p) ·
// biasUnary_F(z, bias, out, rows, cols, p) · unaryBiasBackward_F(s, dy, dz, dbias, rows, cols, p).
// Pointers are byte offsets (4-byte aligned), sizes element counts, p the function's parameter
// (rounded to f32). Each expression is rendered twice from one walk: F_fV/F_bV over f32x4 lanes for
// the ${UNROLL}-vector and 1-vector loops, F_fS/F_bS over f32 for the tails — the same IEEE operations
// in the same order, so every element gets the same bits whichever loop computes it (and the fused
// bias kernels equal addRowBroadcast + unary_F, unaryBackward_F + sumRows, bit for bit).
// Functions: ${names.join(', ')}.

import { expS, expV, log1pS, log1pV, logS, logV, tanhS, tanhV } from '${mathImport}';
`;
  // biasUnary by the function's index in `names` (UNARY_NAMES), for kernels that take the function
  // as a number (conv2dForward): the same generated code as the named exports.
  const byIndex = `
/** biasUnary_F for F = UNARY_NAMES[fn] (${names.join(', ')}); an unknown index does nothing. */
export function biasUnaryIndexed(fn: i32, z: usize, bias: usize, out: usize, rows: i32, cols: i32, p: f64): void {
  switch (fn) {
${names.map((name, i) => `    case ${i}: biasUnary_${name}(z, bias, out, rows, cols, p); break;`).join('\n')}
    default: break;
  }
}
`;
  return header + names.map((name) => opSource(ops[name], name)).join('') + byIndex;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { UNARY_OPS, UNARY_NAMES } = await import(pathToFileURL(tensorDist).href);
  const outPath = join(pkgDir, 'assembly', 'generated', 'unary.ts');
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, renderUnaryModule(UNARY_OPS, UNARY_NAMES));
  console.log(`wrote ${outPath} (${UNARY_NAMES.length} functions × 4 kernels: ${UNARY_NAMES.join(', ')})`);
}
