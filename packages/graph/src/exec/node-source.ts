import { GradstreamError, type Tensor } from '@gradstream/tensor';
import type { AnyOpPlugin, EmittedSource } from '../contract/op-plugin.js';

/**
 * The values a generated function closes over, each under an identifier. The function is made
 * with `new Function(...names, body)` and called with the values, so they are constants to V8.
 * Compiled plans build their passes with it, and optimizers their updates.
 *
 * @example
 * ```ts
 * import { SourceBindings } from '@gradstream/graph';
 * const b = new SourceBindings();
 * const w = b.bind('w', new Float64Array([1, 2]));
 * const double = b.instantiate<() => void>(`return function () { for (let i = 0; i < 2; i++) ${w}[i] *= 2; };`);
 * double?.(); // w is now [2, 4]
 * ```
 */
export class SourceBindings {
  readonly names: string[] = [];
  readonly values: unknown[] = [];

  /** Binds `value` to the identifier `name` (which must be unique) and returns the identifier. */
  bind(name: string, value: unknown): string {
    this.names.push(name);
    this.values.push(value);
    return name;
  }

  /**
   * Makes `new Function(...names, body)` and calls it with the bound values. Returns undefined
   * where code generation is not allowed (a Content-Security-Policy without 'unsafe-eval').
   */
  instantiate<T>(body: string): T | undefined {
    let make: (...args: unknown[]) => T;
    try {
      make = new Function(...this.names, body) as (...args: unknown[]) => T;
    } catch (e) {
      if (e instanceof SyntaxError) throw e;
      return undefined;
    }
    return make(...this.values);
  }
}

/** The body of a function returning `{ forward(training), backward() }` with these statements. */
export function passesBody(forward: string, backward: string): string {
  return `return { forward: function (training) {\n${forward}\n}, backward: function () {\n${backward}\n} };`;
}

/** One node's tensors, in the roles of its forward and backward contexts. */
export interface NodeTensors {
  readonly inputs: Readonly<Record<string, Tensor>>;
  readonly params: Readonly<Record<string, Tensor>>;
  readonly out: Tensor;
  readonly scratch: Readonly<Record<string, Tensor>>;
  readonly dy: Tensor;
  readonly dInputs: Readonly<Record<string, Tensor>>;
  readonly dParams: Readonly<Record<string, Tensor>>;
}

/**
 * Asks a node's op for its source ({@link OpPlugin.emit}), binding each of the node's buffers under
 * an identifier that starts with `prefix`. Returns undefined when the op has no `emit` or declines
 * for these shapes. A source that does not parse is the plugin's fault: INVALID_PLUGIN, naming it.
 */
export function emitNode(
  op: AnyOpPlugin,
  config: unknown,
  label: string,
  tensors: NodeTensors,
  prefix: string,
  bindings: SourceBindings,
): EmittedSource | undefined {
  if (op.emit === undefined) return undefined;
  // Identifiers by position, not by name, so any input or parameter name is safe.
  const names = (role: string, record: Readonly<Record<string, Tensor>>): Record<string, string> =>
    Object.fromEntries(Object.entries(record).map(([k, t], i) => [k, `${prefix}_${role}${i}`]));
  const inputs = names('i', tensors.inputs);
  const params = names('p', tensors.params);
  const scratch = names('s', tensors.scratch);
  const dInputs = names('di', tensors.dInputs);
  const dParams = names('dp', tensors.dParams);
  const source = op.emit({
    config: config as object,
    inputShapes: op.inputs.map((n) => (tensors.inputs[n] as Tensor).shape),
    outputShape: tensors.out.shape,
    inputs,
    params,
    out: `${prefix}_out`,
    scratch,
    dy: `${prefix}_dy`,
    dInputs,
    dParams,
  });
  if (source === undefined) return undefined;
  const local = new SourceBindings();
  const bindAll = (ids: Record<string, string>, record: Readonly<Record<string, Tensor>>): void => {
    for (const [k, id] of Object.entries(ids)) local.bind(id, (record[k] as Tensor).data);
  };
  bindAll(inputs, tensors.inputs);
  bindAll(params, tensors.params);
  bindAll(scratch, tensors.scratch);
  bindAll(dInputs, tensors.dInputs);
  bindAll(dParams, tensors.dParams);
  local.bind(`${prefix}_out`, tensors.out.data);
  local.bind(`${prefix}_dy`, tensors.dy.data);
  for (const [pass, text] of [
    ['forward', source.forward],
    ['backward', source.backward],
  ] as const) {
    try {
      new Function('training', ...local.names, text);
    } catch (e) {
      if (!(e instanceof SyntaxError)) return undefined;
      throw new GradstreamError('INVALID_PLUGIN', `${label}: the ${pass} source its op emitted does not parse: ${e.message}`, {
        op: op.name,
        pass,
      });
    }
  }
  local.names.forEach((n, i) => bindings.bind(n, local.values[i]));
  return source;
}
