/*
 * The loops of the elementwise kernels, rendered from the one definition of each function in
 * ../math/unary-ops.ts: the kernel functions of the TypeScript backend are generated from them
 * (generated.ts), and compiled plans write them in place for small layers.
 *
 * Rounding rule that keeps a fused kernel equal to its separate ops bit for bit: every value the
 * separate ops would store in a buffer (z + bias, the derivative) is rounded to the buffer's type
 * before the fused kernel uses it further.
 */
import type { DType } from '../dtype.js';
import { renderJs } from '../math/expr.js';
import type { UnaryDefinition } from '../math/unary-ops.js';

const round = (dtype: DType, v: string): string => (dtype === 'float32' ? `Math.fround(${v})` : v);

/** `out[i] = f(x[i])` for i < size. */
export function unaryForwardSource(def: UnaryDefinition, x: string, out: string, size: string, p: string, prefix: string): string {
  const f = renderJs(def.forward, { x: `${prefix}x`, p }, prefix);
  return `for (let i = 0; i < ${size}; i++) { const ${prefix}x = ${x}[i]; ${f.statements} ${out}[i] = ${f.value}; }\n`;
}

/** `dx[i] = f′(s[i]) applied to dy[i]`. */
export function unaryBackwardSource(def: UnaryDefinition, s: string, dy: string, dx: string, size: string, p: string, prefix: string): string {
  const b = renderJs(def.backward, { [def.saves]: `${prefix}s`, dy: `${prefix}g`, p }, prefix);
  return `for (let i = 0; i < ${size}; i++) { const ${prefix}s = ${s}[i]; const ${prefix}g = ${dy}[i]; ${b.statements} ${dx}[i] = ${b.value}; }\n`;
}

/** `out[r,c] = f(z[r,c] + bias[c])`, z + bias rounded to the dtype as `addRowBroadcast` would store it. */
export function biasForwardSource(def: UnaryDefinition, dtype: DType, z: string, bias: string, out: string, rows: string, cols: string, p: string, prefix: string): string {
  const f = renderJs(def.forward, { x: `${prefix}x`, p }, prefix);
  return (
    `for (let r = 0, o = 0; r < ${rows}; r++, o += ${cols}) for (let c = 0; c < ${cols}; c++) { ` +
    `const ${prefix}x = ${round(dtype, `${z}[o + c] + ${bias}[c]`)}; ${f.statements} ${out}[o + c] = ${f.value}; }\n`
  );
}

/**
 * `dz = f′ ⊙ dy` and `dbias = Σ_r dz`, each dz rounded to the dtype before it is summed and the
 * first row assigned rather than added to zero, exactly as `sumRows` would read and sum it (so a
 * −0 column sum stays −0).
 */
export function biasBackwardSource(def: UnaryDefinition, dtype: DType, s: string, dy: string, dz: string, dbias: string, rows: string, cols: string, p: string, prefix: string): string {
  const b = renderJs(def.backward, { [def.saves]: `${prefix}s`, dy: `${prefix}g`, p }, prefix);
  const element = (sum: (d: string) => string): string =>
    `const ${prefix}s = ${s}[o + c]; const ${prefix}g = ${dy}[o + c]; ${b.statements} const ${prefix}d = ${round(dtype, b.value)}; ` +
    `${dz}[o + c] = ${prefix}d; ${dbias}[c] = ${sum(`${prefix}d`)}; `;
  return (
    `if (${rows} === 0) { for (let c = 0; c < ${cols}; c++) ${dbias}[c] = 0; }\n` +
    `else { for (let c = 0, o = 0; c < ${cols}; c++) { ${element((d) => d)}}\n` +
    `for (let r = 1, o = ${cols}; r < ${rows}; r++, o += ${cols}) for (let c = 0; c < ${cols}; c++) { ${element((d) => `${dbias}[c] + ${d}`)}} }\n`
  );
}

