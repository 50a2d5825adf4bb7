import { renderExpr, type Expr, type ExprDialect, type ExprFunction, type ExprVar } from '@gradstream/tensor';

/**
 * A number as a WGSL f32 expression. WGSL has no literal for NaN or the infinities, and its
 * compilers fold a literal −0.0 to +0 (even inside `-0.0 * v`): those come from the helpers,
 * which make them at run time from bits.
 */
export function wgslNumber(v: number): string {
  if (Number.isNaN(v)) return 'gs_nan()';
  if (v === Infinity) return 'gs_inf()';
  if (v === -Infinity) return '(-gs_inf())';
  if (Object.is(v, -0)) return 'gs_negzero()';
  const s = String(Math.abs(v));
  const literal = /^\d+$/.test(s) ? `${s}.0` : s;
  return v < 0 ? `(-${literal})` : literal;
}

const WGSL_FUNCTIONS: Readonly<Record<ExprFunction, (a: string) => string>> = {
  neg: (a) => `(-${a})`,
  abs: (a) => `abs(${a})`,
  // WGSL leaves exp(NaN) to the implementation (SwiftShader gives +∞): gs_exp passes NaN through.
  exp: (a) => `gs_exp(${a})`,
  log: (a) => `log(${a})`,
  log1p: (a) => `gs_log1p(${a})`,
  sqrt: (a) => `sqrt(${a})`,
  tanh: (a) => `gs_tanh(${a})`,
};

const WGSL: ExprDialect = {
  number: wgslNumber,
  call: (fn, a) => WGSL_FUNCTIONS[fn](a),
  binary: (op, a, b) => `(${a} ${op} ${b})`,
  select: (cmp, a, b, then, otherwise) => `select(${otherwise}, ${then}, ${a} ${cmp} ${b})`,
  bind: (id, value) => `let ${id} = ${value};`,
};

/**
 * Renders one of the op definitions' expressions (`UNARY_OPS`) as WGSL: `let` statements for its
 * named intermediates, then the value. The CPU backends render the same expressions as JavaScript
 * and AssemblyScript, so every backend computes each op from its one definition. `vars` maps each
 * variable to the WGSL it reads (`'x[i]'`); `prefix` keeps the intermediates' names apart.
 */
export function renderWgsl(e: Expr, vars: Readonly<Partial<Record<ExprVar, string>>>, prefix: string): { statements: string; value: string } {
  const { statements, value } = renderExpr(e, vars, prefix, WGSL);
  return { statements: statements.join('\n  '), value };
}
