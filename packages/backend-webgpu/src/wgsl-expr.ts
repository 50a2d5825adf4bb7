import type { Expr, ExprFunction, ExprVar } from '@gradstream/tensor';

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

/**
 * Renders one of the op definitions' expressions (`UNARY_OPS`) as WGSL: `let` statements for its
 * named intermediates, then the value. The CPU backends render the same expressions as JavaScript
 * and AssemblyScript, so every backend computes each op from its one definition. `vars` maps each
 * variable to the WGSL it reads (`'x[i]'`); `prefix` keeps the intermediates' names apart.
 */
export function renderWgsl(e: Expr, vars: Readonly<Partial<Record<ExprVar, string>>>, prefix: string): { statements: string; value: string } {
  const statements: string[] = [];
  const locals = new Map<string, string>();
  const go = (n: Expr): string => {
    switch (n.kind) {
      case 'num':
        return wgslNumber(n.value);
      case 'var': {
        const v = vars[n.name];
        if (v === undefined) throw new RangeError(`expression reads ${n.name}, which is not given`);
        return v;
      }
      case 'local': {
        const v = locals.get(n.name);
        if (v === undefined) throw new RangeError(`expression reads ${n.name} before its let`);
        return v;
      }
      case 'call':
        return WGSL_FUNCTIONS[n.fn](go(n.arg));
      case 'binary':
        return `(${go(n.a)} ${n.op} ${go(n.b)})`;
      case 'select':
        return `select(${go(n.else)}, ${go(n.then)}, ${go(n.a)} ${n.cmp} ${go(n.b)})`;
      case 'let': {
        const id = `${prefix}${n.name}`;
        statements.push(`let ${id} = ${go(n.value)};`);
        locals.set(n.name, id);
        return go(n.body);
      }
    }
  };
  const value = go(e);
  return { statements: statements.join('\n  '), value };
}
