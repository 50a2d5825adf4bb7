import { decodeOptimizerState, type JsonValue } from '@gradstream/graph';
import { GradstreamError, ScalarSlot, SourceBindings, dtypeOf, tsBackend, type Backend, type KernelCall, type Tensor, type TypedArray } from '@gradstream/tensor';
import { knownOptions, optionReader, type OptionReader } from '../check-option.js';
import { clipGlobalNorm } from './clip.js';
import type { Optimizer, OptimizerState } from './optimizer.js';

/** Hyperparameters of an update rule besides `lr` and `clipNorm` (JSON values, restored by `setState`). */
export type Settings = Readonly<Record<string, number | boolean>>;

/** Where an update's kernel call reads the learning rate at run time. */
export const LR = new ScalarSlot(0);
/** Where an update's kernel call reads the step count (from 1, this step included) at run time. */
export const STEP = new ScalarSlot(1);

/**
 * What sets one optimizer apart: its name, its per-parameter buffers and its update. Everything
 * else (validation of `lr` and `clipNorm`, clipping, step counting, lazy buffers, state) is shared.
 */
export interface UpdateRule<S extends Settings> {
  readonly name: string;
  /** Used when the options leave `lr` out; `undefined` makes `lr` required. */
  readonly defaultLr: number | undefined;
  /** Names of the per-parameter buffers (`m`, `v`), each sized and typed like its parameter. */
  readonly slots: readonly string[];
  /** Option names besides `lr` and `clipNorm`. */
  readonly keys: readonly string[];
  /** Reads and validates the settings, filling in defaults. */
  settings(read: OptionReader): S;
  /**
   * The update of one parameter `w` from its gradient `g` as one kernel call of the backend;
   * `slots[k]` is the buffer named `slots[k]`, {@link LR} and {@link STEP} stand for the learning
   * rate and the step count, read when the update runs.
   */
  call(w: TypedArray, g: TypedArray, slots: readonly TypedArray[], s: S): KernelCall;
}

const COMMON_KEYS = ['lr', 'clipNorm'] as const;

/** Builds an {@link Optimizer} from an update rule and the options its factory received. */
export function createOptimizer<S extends Settings>(rule: UpdateRule<S>, options: object): Optimizer {
  return new RuleOptimizer(rule, options);
}

/** Gives a collected optimizer's slot buffers back to their backend. */
const reclaimSlots = new FinalizationRegistry<{ backend: Backend; buffers: TypedArray[] }>(({ backend, buffers }) => backend.free(buffers));

class RuleOptimizer<S extends Settings> implements Optimizer {
  readonly name: string;
  readonly slots: readonly string[];
  lr: number;
  private clipNorm: number | undefined;
  private settings: S;
  private steps = 0;
  /** The update's run-time scalars: the learning rate and the step count. */
  private readonly scalars = new Float64Array(2);
  /** `buffers[i][k]`: slot `k` of parameter `i`; made on the first step. */
  private buffers: TypedArray[][] | undefined;
  /** The parameter and gradient arrays (and backend) last checked against each other and the buffers. */
  private checkedParams: readonly Tensor[] | undefined;
  private checkedGrads: readonly Tensor[] | undefined;
  private checkedBackend: Backend | undefined;
  /** The update of every checked parameter, ready to run: see {@link prepareUpdate}. */
  private update: PreparedUpdate | undefined;
  /** Slot values from `setState`, `restored[k][i]`, copied into the buffers when they are made. */
  private restored: number[][][] | undefined;

  constructor(
    private readonly rule: UpdateRule<S>,
    options: object,
  ) {
    this.name = rule.name;
    this.slots = rule.slots;
    const parsed = parseConfig(rule, options ?? {}, rule.name, '', { above: 0 });
    this.lr = parsed.lr;
    this.clipNorm = parsed.clipNorm;
    this.settings = parsed.settings;
  }

  step(params: readonly Tensor[], grads: readonly Tensor[], backend: Backend = tsBackend): void {
    if (params.length !== grads.length) {
      throw new GradstreamError('SHAPE_MISMATCH', `${this.name}.step: got ${params.length} parameters but ${grads.length} gradients`, {
        params: params.length,
        grads: grads.length,
      });
    }
    const buffers = this.buffers ?? this.makeBuffers(params, backend);
    // A training loop passes the same two arrays every step: check them once, not every step.
    let update = this.update;
    if (update === undefined || params !== this.checkedParams || grads !== this.checkedGrads || backend !== this.checkedBackend) {
      this.check(params, grads, buffers);
      // The same tensors in new arrays (a new run of fit on the same plan): keep the prepared
      // update, whose code the engine has already optimized.
      if (update !== undefined && backend === this.checkedBackend && sameItems(params, this.checkedParams) && sameItems(grads, this.checkedGrads)) {
        this.checkedParams = params;
        this.checkedGrads = grads;
      } else {
        update = undefined;
      }
    }
    if (update === undefined) {
      this.checkedParams = params;
      this.checkedGrads = grads;
      this.checkedBackend = backend;
      update = prepareUpdate(this.rule, params, grads, buffers, this.settings, backend);
      this.update = update;
    }
    if (this.clipNorm !== undefined) clipGlobalNorm(grads, this.clipNorm, backend);
    const scalars = this.scalars;
    scalars[0] = this.lr;
    scalars[1] = ++this.steps;
    update(scalars);
  }

  private check(params: readonly Tensor[], grads: readonly Tensor[], buffers: TypedArray[][]): void {
    if (buffers.length !== params.length) {
      throw new GradstreamError(
        'SHAPE_MISMATCH',
        `${this.name}.step: its buffers were made for ${buffers.length} parameters, got ${params.length}`,
        { expected: buffers.length, params: params.length },
      );
    }
    for (let i = 0; i < params.length; i++) {
      const size = (params[i] as Tensor).size;
      const first = (buffers[i] as TypedArray[])[0];
      if ((grads[i] as Tensor).size !== size || (first !== undefined && first.length !== size)) {
        throw new GradstreamError(
          'SHAPE_MISMATCH',
          `${this.name}.step: parameter ${i} has ${size} values, its gradient ${(grads[i] as Tensor).size}` +
            (first === undefined ? '' : `, its buffers ${first.length}`),
          { index: i, param: size, grad: (grads[i] as Tensor).size, ...(first === undefined ? {} : { buffer: first.length }) },
        );
      }
    }
  }

  config(): Readonly<Record<string, unknown>> {
    return { name: this.name, ...this.configJson() };
  }

  slotArrays(): readonly TypedArray[] {
    return this.buffers?.flat() ?? [];
  }

  state(): OptimizerState {
    const slots: Record<string, number[][]> = {};
    this.rule.slots.forEach((slot, k) => {
      slots[slot] = this.buffers
        ? this.buffers.map((b) => Array.from(b[k] as TypedArray))
        : (this.restored?.[k] ?? []).map((values) => [...values]);
    });
    return { name: this.name, config: this.configJson(), steps: this.steps, slots };
  }

  setState(given: OptimizerState): void {
    const owner = `${this.name}.setState`;
    // A checkpoint's own `optimizer` field keeps the buffers in base64 (toCheckpoint encodes them), and
    // until version 2 it held numbers: either may be handed over as it is. Decoding checks it in full.
    const state = decodeOptimizerState(given as unknown as JsonValue, 'state') as unknown as OptimizerState;
    if (typeof state !== 'object' || state === null || state.name !== this.name) {
      const got = typeof state === 'object' && state !== null ? `the state of a "${String(state.name)}" optimizer` : String(state);
      throw new GradstreamError('INVALID_OPTION', `${owner}: expected the state of a "${this.name}" optimizer, got ${got}`, {
        expected: this.name,
        got: typeof state === 'object' && state !== null ? state.name : state,
      });
    }
    const steps = optionReader(owner, state).number('steps', { atLeast: 0, integer: true });
    if (typeof state.config !== 'object' || state.config === null) {
      throw new GradstreamError('INVALID_OPTION', `${owner}: config must be an object, got ${JSON.stringify(state.config)}`, { option: 'config' });
    }
    // A schedule may have brought lr down to exactly 0 (cosine decay's end), so a saved lr of 0 is accepted.
    const parsed = parseConfig(this.rule, state.config, owner, 'config.', { atLeast: 0 });
    const restored = readSlots(this.rule.slots, state.slots, owner);
    this.lr = parsed.lr;
    this.clipNorm = parsed.clipNorm;
    this.settings = parsed.settings;
    this.steps = steps;
    this.buffers = undefined;
    this.checkedParams = undefined;
    this.update = undefined;
    this.restored = restored;
  }

  private configJson(): Record<string, unknown> {
    return { lr: this.lr, ...this.settings, ...(this.clipNorm === undefined ? {} : { clipNorm: this.clipNorm }) };
  }

  private makeBuffers(params: readonly Tensor[], backend: Backend): TypedArray[][] {
    const restored = this.restored;
    const saved = restored?.[0]?.length;
    if (saved !== undefined && saved !== params.length) {
      throw new GradstreamError(
        'CHECKPOINT_INVALID',
        `${this.name}.step: the restored state holds buffers for ${saved} parameters, got ${params.length} (the state belongs to another model)`,
        { expected: saved, params: params.length },
      );
    }
    const buffers = params.map((p, i) =>
      this.rule.slots.map((slot, k) => {
        const b = backend.allocate(dtypeOf(p.data), p.size);
        const values = restored?.[k]?.[i];
        if (values !== undefined && values.length !== p.size) {
          throw new GradstreamError(
            'CHECKPOINT_INVALID',
            `${this.name}.step: the restored slots.${slot}[${i}] holds ${values.length} values, ` +
              `parameter ${i} has ${p.size} (the state belongs to another model)`,
            { slot, index: i, expected: p.size, got: values.length },
          );
        }
        if (values !== undefined) b.set(values);
        return b;
      }),
    );
    // On a device backend (a GPU's memory, which the collector does not see) the slots are given
    // back when the optimizer is collected: memory stays flat without a dispose call.
    if (backend.sync !== undefined) reclaimSlots.register(this, { backend, buffers: buffers.flat() });
    // A device backend's buffers start as zeros there: restored values go up once.
    if (restored !== undefined) backend.sync?.upload(buffers.flat());
    this.buffers = buffers;
    this.restored = undefined;
    return buffers;
  }
}

/** True when both lists hold the same tensors' data in the same order. */
function sameItems(a: readonly Tensor[], b: readonly Tensor[] | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if ((a[i] as Tensor).data !== (b[i] as Tensor).data) return false;
  return true;
}

/** Every parameter's update, ready to run with `[learning rate, step count]`. */
type PreparedUpdate = (scalars: Float64Array) => void;

/**
 * The rule's kernel call for every parameter, as one function generated by the backend (for
 * small models a call per parameter costs more than the update itself) or, where code generation
 * is not allowed, the calls with their argument lists made once, the scalars written in per step.
 */
function prepareUpdate<S extends Settings>(
  rule: UpdateRule<S>,
  params: readonly Tensor[],
  grads: readonly Tensor[],
  buffers: readonly TypedArray[][],
  settings: S,
  backend: Backend,
): PreparedUpdate {
  const calls = params.map((p, i) => rule.call(p.data, (grads[i] as Tensor).data, buffers[i] as TypedArray[], settings));
  const b = new SourceBindings();
  b.scalarParams(['lr', 't']);
  const body = calls.map((c) => backend.renderCall(c, b)).join('\n');
  // The rate and step arrive in a Float64Array, not as arguments: a number passed to a call that
  // is not inlined is boxed, and this runs on every step.
  const run = b.instantiate<PreparedUpdate>(`return function update(scalars) {\nconst lr = scalars[0], t = scalars[1];\n${body}\n};`, `gradstream-${rule.name}-update`);
  if (run !== undefined) return run;
  const prepared = calls.map((c) => {
    const fn = backend[c.kernel] as (...args: unknown[]) => void;
    const args = [...c.args];
    const slots = c.args.flatMap((a, k) => (a instanceof ScalarSlot ? [[k, a.index] as const] : []));
    return { fn, args, slots };
  });
  return (scalars) => {
    {
      for (let i = 0; i < prepared.length; i++) {
        const { fn, args, slots } = prepared[i] as (typeof prepared)[number];
        for (let j = 0; j < slots.length; j++) {
          const [k, index] = slots[j] as readonly [number, number];
          args[k] = scalars[index];
        }
        fn.apply(backend, args);
      }
    }
  };
}

interface ParsedConfig<S> {
  readonly lr: number;
  readonly clipNorm: number | undefined;
  readonly settings: S;
}

function parseConfig<S extends Settings>(
  rule: UpdateRule<S>,
  source: object,
  owner: string,
  path: string,
  lrRange: { above: number } | { atLeast: number },
): ParsedConfig<S> {
  knownOptions(owner, source, [...COMMON_KEYS, ...rule.keys]);
  const read = optionReader(owner, source, path);
  const lr = read.number('lr', lrRange, rule.defaultLr);
  const clipNorm = (source as { clipNorm?: unknown }).clipNorm === undefined ? undefined : read.number('clipNorm', { above: 0 });
  return { lr, clipNorm, settings: rule.settings(read) };
}

/** Validates saved slots (`slots[name][i]` = values of parameter `i`) into `[slot][param]` lists, or undefined when empty. */
function readSlots(names: readonly string[], slots: unknown, owner: string): number[][][] | undefined {
  const fail = (message: string, details: Record<string, unknown>): never => {
    throw new GradstreamError('INVALID_OPTION', `${owner}: ${message}`, details);
  };
  if (typeof slots !== 'object' || slots === null) return fail(`slots must be an object, got ${JSON.stringify(slots)}`, { option: 'slots' });
  const record = slots as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== names.length || !names.every((n) => keys.includes(n))) {
    return fail(`slots must hold exactly [${names.join(', ')}], got [${keys.join(', ')}]`, { expected: [...names], got: keys });
  }
  const lists = names.map((name) => {
    const list = record[name];
    if (!Array.isArray(list)) return fail(`slots.${name} must be an array, got ${JSON.stringify(list)}`, { option: `slots.${name}` });
    return list.map((values: unknown, i) => {
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        return fail(`slots.${name}[${i}] must be an array of finite numbers`, { option: `slots.${name}[${i}]` });
      }
      return [...(values as number[])];
    });
  });
  const first = lists[0];
  if (first === undefined || first.length === 0) {
    if (lists.some((l) => l.length > 0)) return fail('slots must all hold the same number of parameters', { counts: lists.map((l) => l.length) });
    return undefined;
  }
  lists.forEach((list, k) => {
    if (list.length !== first.length) {
      fail(`slots.${names[k]} holds ${list.length} parameters, slots.${names[0]} ${first.length}`, { counts: lists.map((l) => l.length) });
    }
    list.forEach((values, i) => {
      const expected = (first[i] as number[]).length;
      if (values.length !== expected) {
        fail(`slots.${names[k]}[${i}] holds ${values.length} values, slots.${names[0]}[${i}] ${expected}`, { index: i });
      }
    });
  });
  return lists;
}
