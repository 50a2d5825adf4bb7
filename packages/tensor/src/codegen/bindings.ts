import { numberLiteral } from '../math/expr.js';

/**
 * A scalar a compiled program reads at run time rather than at compile time (a learning rate, a
 * step count): parameter `index` of the generated function (see {@link SourceBindings.scalarParams}).
 *
 * @example
 * ```ts
 * import { ScalarSlot } from '@gradstream/tensor';
 * const lr = new ScalarSlot(0); // the generated function reads its first parameter
 * ```
 */
export class ScalarSlot {
  /** @param index - position in the `scalars` array the compiled function receives */
  constructor(readonly index: number) {}
}

/** Set when this realm refused to make a function from source (a Content-Security-Policy without 'unsafe-eval'). */
let codegenRefused = false;

/**
 * The values a generated function closes over, each under an identifier, and the tools to write
 * its source: the function is made with `new Function(...names, body)` and called with the values,
 * so to V8 they are constants. Compiled plans and optimizer updates are built with it.
 *
 * @example
 * ```ts
 * import { SourceBindings } from '@gradstream/tensor';
 * const b = new SourceBindings();
 * const w = b.value(new Float64Array([1, 2]));
 * const double = b.instantiate<() => void>(`return function () { for (let i = 0; i < 2; i++) ${w}[i] *= 2; };`, 'double');
 * double?.(); // the array is now [2, 4]
 * ```
 */
export class SourceBindings {
  readonly names: string[] = [];
  readonly values: unknown[] = [];
  private readonly ids = new Map<unknown, string>();
  private counter = 0;
  private scalarNames: readonly string[] = [];

  /**
   * Names the generated function's parameters a {@link ScalarSlot} reads: slot `i` is written as
   * `names[i]`, so the function is called with those values (`update(lr, t)`).
   */
  scalarParams(names: readonly string[]): void {
    this.scalarNames = names;
  }

  /** Binds `value` under a fresh identifier (the same identifier for the same value) and returns it. */
  value(value: unknown, hint = 'v'): string {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = `${hint.replace(/[^A-Za-z0-9_$]/g, '_')}_${this.counter++}`;
      this.ids.set(value, id);
      this.names.push(id);
      this.values.push(value);
    }
    return id;
  }

  /**
   * An argument as source: numbers, booleans and `undefined` as literals, a {@link ScalarSlot} as
   * a read of `scalars`, anything else (arrays, functions, strings) bound. Strings are bound, never
   * written out: a kernel's string argument (an activation's name) comes from a spec, and no text
   * from a spec or a checkpoint is ever part of generated source.
   */
  arg(a: unknown): string {
    if (typeof a === 'number') return numberLiteral(a);
    if (typeof a === 'boolean') return a ? 'true' : 'false';
    if (a === undefined) return 'undefined';
    if (a instanceof ScalarSlot) {
      const name = this.scalarNames[a.index];
      if (name === undefined) throw new RangeError(`SourceBindings: ScalarSlot ${a.index} has no parameter name (see scalarParams)`);
      return name;
    }
    return this.value(a, 'b');
  }

  /**
   * Makes `new Function(...names, body)` and calls it with the bound values. `sourceURL` names the
   * generated file in stack traces and profiles. Returns undefined where code generation is not
   * allowed (a Content-Security-Policy without 'unsafe-eval').
   */
  instantiate<T>(body: string, sourceURL: string): T | undefined {
    if (codegenRefused) return undefined;
    let make: (...args: unknown[]) => T;
    try {
      make = new Function(...this.names, `${body}\n//# sourceURL=${sourceURL.replace(/[^\w.-]/g, '_')}.js`) as (...args: unknown[]) => T;
    } catch (e) {
      if (e instanceof SyntaxError) throw e;
      // Refused once, refused for good (a page's policy does not change): later plans do not ask
      // again, so the page gets one violation report, not one per plan.
      codegenRefused = true;
      return undefined;
    }
    return make(...this.values);
  }
}

/**
 * A string usable as (part of) a JavaScript identifier: `linear_1.weight` → `linear_1_weight`.
 *
 * @example
 * ```ts
 * import { identifier } from '@gradstream/tensor';
 * identifier('linear_1.weight'); // 'linear_1_weight'
 * identifier('1st'); // '_1st'
 * ```
 */
export function identifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}
