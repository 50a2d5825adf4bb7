/*
 * Kernels as source text. Each builder returns JavaScript statements that compute exactly what
 * the kernel of the same name computes (same operations in the same order, so bit-identical
 * results in float32 and float64), with the buffers named by identifiers and every size written
 * in as a number. A compiled plan inlines them into its generated passes: for small layers the
 * call into a general kernel costs more than its arithmetic. Tests hold each one to its kernel.
 */

/**
 * Products of at most this many multiply-adds (`m·n·k`) are worth inlining; above it the
 * register-tiled {@link matmul} kernel is faster than a plain loop.
 *
 * @example
 * ```ts
 * import { INLINE_MATMUL_MAX } from '@gradstream/tensor';
 * const inline = 4 * 2 * 8 <= INLINE_MATMUL_MAX; // true
 * ```
 */
export const INLINE_MATMUL_MAX = 64;

/** A number as a JavaScript literal that reads back as the same double. */
function literal(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`kernel source: ${v} is not a finite number`);
  return Object.is(v, -0) || v < 0 ? `(${String(v)})` : String(v);
}

/** The statements of {@link elementwise}-style loops: `body` reads the element index `i`. */
function loop(size: number, body: string): string {
  return `for (let i = 0; i < ${size}; i++) { ${body} }\n`;
}

/**
 * Source-text builders mirroring the kernels of this package (see {@link INLINE_MATMUL_MAX}).
 * Arguments name typed arrays visible where the source runs; sizes are numbers.
 *
 * @example
 * ```ts
 * import { kernelSource } from '@gradstream/tensor';
 * const src = kernelSource.sigmoid('z', 'a', 4);
 * const run = new Function('z', 'a', src);
 * const a = new Float64Array(4);
 * run(new Float64Array([0, 1, 2, 3]), a); // a[0] = 0.5
 * ```
 */
export const kernelSource = Object.freeze({
  /** {@link matmul} without `accumulate`, plain loop order (exact for `k ≤ 256`). */
  matmul(a: string, b: string, out: string, m: number, n: number, k: number, transA = false, transB = false): string {
    if (k > 256) throw new RangeError('kernel source: matmul is only mirrored for k ≤ 256');
    // Strides as the kernel derives them: row and step of A, step and column of B.
    const aRs = transA ? 1 : k;
    const aPs = transA ? m : 1;
    const bPs = transB ? 1 : n;
    const bCs = transB ? k : 1;
    return (
      `for (let i = 0; i < ${m}; i++) for (let j = 0; j < ${n}; j++) { let s = 0; ` +
      `for (let p = 0; p < ${k}; p++) s += ${a}[i * ${aRs} + p * ${aPs}] * ${b}[j * ${bCs} + p * ${bPs}]; ` +
      `${out}[i * ${n} + j] = s; }\n`
    );
  },
  /** {@link addRowBroadcast}. */
  addRowBroadcast(x: string, bias: string, out: string, rows: number, cols: number): string {
    return `for (let r = 0; r < ${rows}; r++) for (let c = 0; c < ${cols}; c++) ${out}[r * ${cols} + c] = ${x}[r * ${cols} + c] + ${bias}[c];\n`;
  },
  /** {@link sumRows} without `accumulate` (`rows ≥ 1`). */
  sumRows(x: string, out: string, rows: number, cols: number): string {
    return (
      `for (let c = 0; c < ${cols}; c++) ${out}[c] = ${x}[c];\n` +
      `for (let r = 1; r < ${rows}; r++) for (let c = 0; c < ${cols}; c++) ${out}[c] = ${out}[c] + ${x}[r * ${cols} + c];\n`
    );
  },
  /** {@link add}. */
  add(a: string, b: string, out: string, size: number): string {
    return loop(size, `${out}[i] = ${a}[i] + ${b}[i];`);
  },
  /** A copy, as `TypedArray.prototype.set` between buffers of one dtype. */
  copy(src: string, dst: string, size: number): string {
    return loop(size, `${dst}[i] = ${src}[i];`);
  },
  /** {@link biasActivation}; `activation` indexes {@link ACTIVATIONS}. */
  biasActivation(z: string, bias: string, out: string, rows: number, cols: number, activation: number): string {
    const v = `${z}[r * ${cols} + c] + ${bias}[c]`;
    const o = `${out}[r * ${cols} + c]`;
    const body = [
      `${o} = ${v};`,
      `const v = ${v}; if (v >= 0) { ${o} = 1 / (1 + Math.exp(-v)); } else { const e = Math.exp(v); ${o} = e / (1 + e); }`,
      `const v = ${v}; ${o} = v > 0 ? v : 0;`,
      `${o} = Math.tanh(${v});`,
    ][activation] ?? `${o} = ${v};`;
    return `for (let r = 0; r < ${rows}; r++) for (let c = 0; c < ${cols}; c++) { ${body} }\n`;
  },
  /** {@link activationBiasBackward}; `activation` indexes {@link ACTIVATIONS}. */
  activationBiasBackward(a: string, dy: string, dz: string, dbias: string, rows: number, cols: number, activation: number): string {
    const d = ['g', 'g * y * (1 - y)', 'y > 0 ? g : 0', 'g * (1 - y * y)'][activation] ?? 'g';
    return (
      `for (let c = 0; c < ${cols}; c++) ${dbias}[c] = 0;\n` +
      `for (let r = 0; r < ${rows}; r++) for (let c = 0; c < ${cols}; c++) { const i = r * ${cols} + c; const y = ${a}[i]; const g = ${dy}[i]; ` +
      `const d = ${d}; ${dz}[i] = d; ${dbias}[c] = ${dbias}[c] + d; }\n`
    );
  },
  /** {@link sigmoid}. */
  sigmoid(x: string, out: string, size: number): string {
    return loop(size, `const v = ${x}[i]; if (v >= 0) { ${out}[i] = 1 / (1 + Math.exp(-v)); } else { const e = Math.exp(v); ${out}[i] = e / (1 + e); }`);
  },
  /** {@link sigmoidBackward}. */
  sigmoidBackward(y: string, dy: string, dx: string, size: number): string {
    return loop(size, `const s = ${y}[i]; ${dx}[i] = ${dy}[i] * s * (1 - s);`);
  },
  /** {@link tanh}. */
  tanh(x: string, out: string, size: number): string {
    return loop(size, `${out}[i] = Math.tanh(${x}[i]);`);
  },
  /** {@link tanhBackward}. */
  tanhBackward(y: string, dy: string, dx: string, size: number): string {
    return loop(size, `const t = ${y}[i]; ${dx}[i] = ${dy}[i] * (1 - t * t);`);
  },
  /** {@link relu}. */
  relu(x: string, out: string, size: number): string {
    return loop(size, `const v = ${x}[i]; ${out}[i] = v < 0 ? 0 : v;`);
  },
  /** {@link reluBackward}. */
  reluBackward(v: string, dy: string, dx: string, size: number): string {
    return loop(size, `${dx}[i] = ${v}[i] > 0 ? ${dy}[i] : 0;`);
  },
  /** {@link leakyRelu}. */
  leakyRelu(x: string, alpha: number, out: string, size: number): string {
    return loop(size, `const v = ${x}[i]; ${out}[i] = v > 0 ? v : ${literal(alpha)} * v;`);
  },
  /** {@link leakyReluBackward}. */
  leakyReluBackward(x: string, alpha: number, dy: string, dx: string, size: number): string {
    return loop(size, `const g = ${dy}[i]; ${dx}[i] = ${x}[i] > 0 ? g : ${literal(alpha)} * g;`);
  },
});
