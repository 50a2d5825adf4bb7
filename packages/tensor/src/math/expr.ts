/*
 * A tiny expression language for elementwise math. An activation's forward and derivative are
 * written once as expressions (see unary-ops.ts); every backend renders its kernels from them —
 * JavaScript loops for the TypeScript backend, SIMD128 AssemblyScript for the WebAssembly one —
 * so a fused kernel and its separate ops cannot drift apart.
 *
 * Only what vectorizes is allowed: arithmetic, comparisons, a branch-free select and a few
 * transcendental functions. A select evaluates both arms in SIMD code, so an arm may be NaN or
 * infinite where the other is chosen; it must never trap.
 */

/**
 * Variables an elementwise expression may read: the forward input `x`, the forward output `y`,
 * the incoming gradient `dy` and the op's scalar parameter `p` (e.g. leaky ReLU's slope).
 *
 * @example
 * ```ts
 * import type { ExprVar } from '@gradstream/tensor';
 * const v: ExprVar = 'dy';
 * ```
 */
export type ExprVar = 'x' | 'y' | 'dy' | 'p';

/**
 * Functions of one argument an expression may call.
 *
 * @example
 * ```ts
 * import type { ExprFunction } from '@gradstream/tensor';
 * const f: ExprFunction = 'exp';
 * ```
 */
export type ExprFunction = 'neg' | 'abs' | 'exp' | 'log' | 'log1p' | 'sqrt' | 'tanh';

/**
 * Binary arithmetic of an expression.
 *
 * @example
 * ```ts
 * import type { ExprOperator } from '@gradstream/tensor';
 * const o: ExprOperator = '*';
 * ```
 */
export type ExprOperator = '+' | '-' | '*' | '/';

/**
 * Comparisons, as in JavaScript: false whenever either side is NaN.
 *
 * @example
 * ```ts
 * import type { ExprComparison } from '@gradstream/tensor';
 * const c: ExprComparison = '>=';
 * ```
 */
export type ExprComparison = '<' | '<=' | '>' | '>=';

/**
 * An elementwise expression: a tree of numbers, variables, functions, arithmetic, selects and
 * named intermediate values. Build one with {@link expr}.
 *
 * @example
 * ```ts
 * import { expr as e, type Expr } from '@gradstream/tensor';
 * const relu: Expr = e.select(e.lt(e.x, 0), 0, e.x);
 * ```
 */
export type Expr =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'var'; readonly name: ExprVar }
  | { readonly kind: 'local'; readonly name: string }
  | { readonly kind: 'call'; readonly fn: ExprFunction; readonly arg: Expr }
  | { readonly kind: 'binary'; readonly op: ExprOperator; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'select'; readonly cmp: ExprComparison; readonly a: Expr; readonly b: Expr; readonly then: Expr; readonly else: Expr }
  | { readonly kind: 'let'; readonly name: string; readonly value: Expr; readonly body: Expr };

/** A comparison waiting for its two arms (see {@link expr}'s `select`). */
export interface ExprCondition {
  readonly cmp: ExprComparison;
  readonly a: Expr;
  readonly b: Expr;
}

/**
 * What an expression builder takes: an expression, or a number for a constant.
 *
 * @example
 * ```ts
 * import { expr as e, type ExprOperand } from '@gradstream/tensor';
 * const half: ExprOperand = 0.5;
 * const scaled = e.mul(half, e.x);
 * ```
 */
export type ExprOperand = Expr | number;
type Operand = ExprOperand;

const lift = (v: Operand): Expr => (typeof v === 'number' ? { kind: 'num', value: v } : v);
const call = (fn: ExprFunction) => (arg: Operand): Expr => ({ kind: 'call', fn, arg: lift(arg) });
const binary = (op: ExprOperator) => (a: Operand, b: Operand): Expr => ({ kind: 'binary', op, a: lift(a), b: lift(b) });
const compare = (cmp: ExprComparison) => (a: Operand, b: Operand): ExprCondition => ({ cmp, a: lift(a), b: lift(b) });

/**
 * Builders of {@link Expr} trees. `let(name, value, body)` names an intermediate value so it is
 * computed once (`body` reads it with `local(name)`).
 *
 * @example
 * ```ts
 * import { expr as e } from '@gradstream/tensor';
 * // σ′ from the output: dy · y · (1 − y)
 * const sigmoidBackward = e.mul(e.mul(e.dy, e.y), e.sub(1, e.y));
 * ```
 */
export const expr = Object.freeze({
  x: { kind: 'var', name: 'x' } as Expr,
  y: { kind: 'var', name: 'y' } as Expr,
  dy: { kind: 'var', name: 'dy' } as Expr,
  p: { kind: 'var', name: 'p' } as Expr,
  num: (value: number): Expr => ({ kind: 'num', value }),
  local: (name: string): Expr => ({ kind: 'local', name }),
  neg: call('neg'),
  abs: call('abs'),
  exp: call('exp'),
  log: call('log'),
  log1p: call('log1p'),
  sqrt: call('sqrt'),
  tanh: call('tanh'),
  add: binary('+'),
  sub: binary('-'),
  mul: binary('*'),
  div: binary('/'),
  lt: compare('<'),
  le: compare('<='),
  gt: compare('>'),
  ge: compare('>='),
  select: (cond: ExprCondition, then: Operand, otherwise: Operand): Expr => ({
    kind: 'select',
    cmp: cond.cmp,
    a: cond.a,
    b: cond.b,
    then: lift(then),
    else: lift(otherwise),
  }),
  let: (name: string, value: Operand, body: Expr): Expr => ({ kind: 'let', name, value: lift(value), body }),
});

/** The variables an expression reads. */
export function exprVars(e: Expr): Set<ExprVar> {
  const found = new Set<ExprVar>();
  const walk = (n: Expr): void => {
    switch (n.kind) {
      case 'var':
        found.add(n.name);
        return;
      case 'call':
        walk(n.arg);
        return;
      case 'binary':
        walk(n.a);
        walk(n.b);
        return;
      case 'select':
        walk(n.a);
        walk(n.b);
        walk(n.then);
        walk(n.else);
        return;
      case 'let':
        walk(n.value);
        walk(n.body);
        return;
      default:
        return;
    }
  };
  walk(e);
  return found;
}

/** A number as a JavaScript literal that reads back as the same double (parenthesised when negative). */
export function numberLiteral(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  // String(-0) is "0": the sign of a negative zero is written out, or the literal reads back as +0.
  if (Object.is(v, -0)) return '(-0)';
  return v < 0 ? `(${String(v)})` : String(v);
}

/**
 * How a target language writes an expression's parts: what {@link renderExpr} needs to render the
 * op definitions (`UNARY_OPS`) as that language's code. A backend in another language (WGSL,
 * AssemblyScript) supplies one, so every backend computes each op from its one definition.
 *
 * @example
 * ```ts
 * import type { ExprDialect } from '@gradstream/tensor';
 * const lisp: ExprDialect = {
 *   number: String,
 *   call: (fn, a) => `(${fn} ${a})`,
 *   binary: (op, a, b) => `(${op} ${a} ${b})`,
 *   select: (cmp, a, b, then, otherwise) => `(if (${cmp} ${a} ${b}) ${then} ${otherwise})`,
 *   bind: (id, value) => `(define ${id} ${value})`,
 * };
 * ```
 */
export interface ExprDialect {
  /** A number literal (or an expression making it, where the language has no literal for it). */
  number(v: number): string;
  /** One of the expressions' functions applied to an argument. */
  call(fn: ExprFunction, arg: string): string;
  /** An arithmetic operation. */
  binary(op: ExprOperator, a: string, b: string): string;
  /** `a cmp b ? then : otherwise`. */
  select(cmp: ExprComparison, a: string, b: string, then: string, otherwise: string): string;
  /** The statement naming an intermediate value. */
  bind(id: string, value: string): string;
}

/**
 * Renders an expression in a target language: statements naming its intermediates, then the
 * value. `vars` maps each variable to the code it reads (`'x[i]'`); `prefix` keeps the
 * intermediates' names apart from the surrounding code's.
 *
 * @example
 * ```ts
 * import { UNARY_OPS, renderExpr, type ExprDialect } from '@gradstream/tensor';
 * const c: ExprDialect = {
 *   number: (v) => `${v}f`,
 *   call: (fn, a) => `${fn}f(${a})`,
 *   binary: (op, a, b) => `(${a} ${op} ${b})`,
 *   select: (cmp, a, b, t, e) => `(${a} ${cmp} ${b} ? ${t} : ${e})`,
 *   bind: (id, v) => `const float ${id} = ${v};`,
 * };
 * console.log(renderExpr(UNARY_OPS.relu.forward, { x: 'x[i]' }, 'r_').value);
 * ```
 */
export function renderExpr(e: Expr, vars: Readonly<Partial<Record<ExprVar, string>>>, prefix: string, dialect: ExprDialect): { statements: string[]; value: string } {
  const statements: string[] = [];
  const locals = new Map<string, string>();
  const go = (n: Expr): string => {
    switch (n.kind) {
      case 'num':
        return dialect.number(n.value);
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
        return dialect.call(n.fn, go(n.arg));
      case 'binary':
        return dialect.binary(n.op, go(n.a), go(n.b));
      case 'select':
        return dialect.select(n.cmp, go(n.a), go(n.b), go(n.then), go(n.else));
      case 'let': {
        const id = `${prefix}${n.name}`;
        statements.push(dialect.bind(id, go(n.value)));
        locals.set(n.name, id);
        return go(n.body);
      }
    }
  };
  const value = go(e);
  return { statements, value };
}

const JS_FUNCTIONS: Readonly<Record<ExprFunction, (a: string) => string>> = {
  neg: (a) => `(-${a})`,
  abs: (a) => `Math.abs(${a})`,
  exp: (a) => `Math.exp(${a})`,
  log: (a) => `Math.log(${a})`,
  log1p: (a) => `Math.log1p(${a})`,
  sqrt: (a) => `Math.sqrt(${a})`,
  tanh: (a) => `Math.tanh(${a})`,
};

const JS_DIALECT: ExprDialect = {
  number: numberLiteral,
  call: (fn, a) => JS_FUNCTIONS[fn](a),
  binary: (op, a, b) => `(${a} ${op} ${b})`,
  select: (cmp, a, b, then, otherwise) => `(${a} ${cmp} ${b} ? ${then} : ${otherwise})`,
  bind: (id, value) => `const ${id} = ${value};`,
};

/**
 * Renders an expression as JavaScript: statements declaring its named intermediates, then the
 * value. `vars` maps each variable to the JavaScript expression it reads (`'x[i]'`); `prefix`
 * keeps the intermediates' names apart from the surrounding code's.
 */
export function renderJs(e: Expr, vars: Readonly<Partial<Record<ExprVar, string>>>, prefix: string): { statements: string; value: string } {
  const { statements, value } = renderExpr(e, vars, prefix, JS_DIALECT);
  return { statements: statements.join(' '), value };
}

/**
 * Values of an expression's variables, as the function `interpret` makes takes them.
 *
 * @example
 * ```ts
 * import type { ExprScalars } from '@gradstream/tensor';
 * const at: ExprScalars = { x: 1, y: 0, dy: 1, p: 0 };
 * ```
 */
export type ExprScalars = Readonly<Record<ExprVar, number>>;

const SCALAR_FUNCTIONS: Readonly<Record<ExprFunction, (a: number) => number>> = {
  neg: (a) => -a,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
};

/**
 * Turns an expression into a JavaScript function of its variables by walking it, without
 * generating code: the reference the rendered kernels are tested against. Slower than they are,
 * never different: the same operations in the same order, in float64.
 *
 * @example
 * ```ts
 * import { UNARY_OPS } from '@gradstream/tensor';
 * import { interpret } from '@gradstream/tensor/reference';
 * interpret(UNARY_OPS.sigmoid.forward)({ x: 0, y: 0, dy: 0, p: 0 }); // 0.5
 * ```
 */
export function interpret(e: Expr): (v: ExprScalars) => number {
  type Env = Map<string, number>;
  const build = (n: Expr): ((v: ExprScalars, env: Env) => number) => {
    switch (n.kind) {
      case 'num': {
        const c = n.value;
        return () => c;
      }
      case 'var': {
        const name = n.name;
        return (v) => v[name];
      }
      case 'local': {
        const name = n.name;
        return (_v, env) => env.get(name) as number;
      }
      case 'call': {
        const f = SCALAR_FUNCTIONS[n.fn];
        const a = build(n.arg);
        return (v, env) => f(a(v, env));
      }
      case 'binary': {
        const a = build(n.a);
        const b = build(n.b);
        switch (n.op) {
          case '+':
            return (v, env) => a(v, env) + b(v, env);
          case '-':
            return (v, env) => a(v, env) - b(v, env);
          case '*':
            return (v, env) => a(v, env) * b(v, env);
          case '/':
            return (v, env) => a(v, env) / b(v, env);
        }
        break;
      }
      case 'select': {
        const a = build(n.a);
        const b = build(n.b);
        const t = build(n.then);
        const f = build(n.else);
        const test: (x: number, y: number) => boolean =
          n.cmp === '<' ? (x, y) => x < y : n.cmp === '<=' ? (x, y) => x <= y : n.cmp === '>' ? (x, y) => x > y : (x, y) => x >= y;
        return (v, env) => (test(a(v, env), b(v, env)) ? t(v, env) : f(v, env));
      }
      case 'let': {
        const name = n.name;
        const value = build(n.value);
        const body = build(n.body);
        return (v, env) => {
          env.set(name, value(v, env));
          return body(v, env);
        };
      }
    }
  };
  const run = build(e);
  const env: Env = new Map();
  return (v) => run(v, env);
}
