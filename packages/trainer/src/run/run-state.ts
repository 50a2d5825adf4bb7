import { compileSchema, type CompiledSchema, type JsonValue } from '@gradstream/graph';
import { GradstreamError } from '@gradstream/tensor';

/**
 * Where a training run stood when a checkpoint was taken: everything besides the parameters and
 * the optimizer that the next step depends on. It travels in a checkpoint's `run` field (plain
 * JSON) and is read back by `fit`'s `resume` option, so that a run stopped after N steps and
 * resumed for M more ends bit for bit where N + M uninterrupted steps end.
 *
 * @example
 * ```ts
 * import type { RunState } from '@gradstream/trainer';
 * const describe = (s: RunState) => `step ${s.step}, epoch ${s.epoch}${s.epochOpen ? ' (open)' : ''}`;
 * ```
 */
export interface RunState {
  readonly version: 1;
  /** The data the run was reading: a resumed run must read the same. */
  readonly data: {
    /** Training samples (arrays), or `null` for a stream. */
    readonly samples: number | null;
    readonly batchSize: number;
    readonly shuffle: boolean;
  };
  /** Epochs begun. */
  readonly epoch: number;
  /** True when the checkpoint was taken inside epoch `epoch` (some of its batches still to come). */
  readonly epochOpen: boolean;
  /** Epochs completed. */
  readonly epochsDone: number;
  /** Steps taken (updates applied). */
  readonly step: number;
  /** Batches trained in the open epoch. */
  readonly batch: number;
  /** Samples trained in the open epoch: a resumed run skips that many of the epoch's order (or of a stream's pass). */
  readonly trained: number;
  /** The last completed epoch's mean loss (`null` before one completed). */
  readonly lastEpochLoss: number | null;
  /** The shuffling generator's state before the open epoch's shuffle (or, between epochs, the next one's); `null` unshuffled. */
  readonly order: readonly number[] | null;
  /** The open epoch's running totals: loss × samples, samples, and each metric's two sums. */
  readonly totals: { readonly loss: number; readonly samples: number; readonly metrics: readonly (readonly number[])[] };
  /** A learning rate a command set that the next step or epoch takes up (`null`: none). */
  readonly lr: number | null;
  /**
   * The rates of the weight penalty the next step uses (see `FitOptions.regularization`); a resumed
   * run continues with them. Absent in checkpoints of runs that predate the option: the resumed
   * run's own option holds then.
   */
  readonly regularization?: { readonly l1: number; readonly l2: number };
  /** The state each policy last reported with a `saveState` command, in the order of `policies` (`null`: none). */
  readonly policies: readonly JsonValue[];
  /** Each node's own generator (dropout masks and the like), by node name. */
  readonly generators: Readonly<Record<string, readonly number[]>>;
  /** Parameters kept by `keepParams` (early stopping's best epoch), in the model's parameter order, then its state's; `null`: none kept. */
  readonly kept: readonly (readonly number[])[] | null;
}

const integer = { type: 'integer', minimum: 0 } as const;
const numbers = { type: 'array', items: { type: 'number' } } as const;
const generator = { type: 'array', items: { type: 'integer' }, minItems: 4, maxItems: 4 } as const;

/**
 * The JSON Schema of {@link RunState}.
 *
 * @example
 * ```ts
 * import { runStateSchema } from '@gradstream/trainer';
 * Object.keys(runStateSchema.properties); // ['version', 'data', 'epoch', …]
 * ```
 */
export const runStateSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'gradstream run state',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'data', 'epoch', 'epochOpen', 'epochsDone', 'step', 'batch', 'trained', 'lastEpochLoss', 'order', 'totals', 'lr', 'policies', 'generators', 'kept'],
  properties: {
    version: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['samples', 'batchSize', 'shuffle'],
      properties: { samples: { type: ['integer', 'null'], minimum: 1 }, batchSize: { type: 'integer', minimum: 1 }, shuffle: { type: 'boolean' } },
    },
    epoch: integer,
    epochOpen: { type: 'boolean' },
    epochsDone: integer,
    step: integer,
    batch: integer,
    trained: integer,
    lastEpochLoss: { type: ['number', 'null'] },
    order: { oneOf: [generator, { type: 'null' }] },
    totals: {
      type: 'object',
      additionalProperties: false,
      required: ['loss', 'samples', 'metrics'],
      properties: { loss: { type: 'number' }, samples: integer, metrics: { type: 'array', items: { ...numbers, minItems: 2, maxItems: 2 } } },
    },
    lr: { type: ['number', 'null'], minimum: 0 },
    regularization: {
      type: 'object',
      additionalProperties: false,
      required: ['l1', 'l2'],
      properties: { l1: { type: 'number', minimum: 0 }, l2: { type: 'number', minimum: 0 } },
    },
    policies: { type: 'array' },
    generators: { type: 'object', additionalProperties: generator },
    kept: { oneOf: [{ type: 'array', items: numbers }, { type: 'null' }] },
  },
} as const;

/** {@link runStateSchema}, compiled on first use. */
let validate: CompiledSchema | undefined;

/**
 * Checks a run state read from a checkpoint against {@link runStateSchema}; a problem is an
 * `INVALID_OPTION` error naming the JSON path under `resume.run`.
 *
 * @example
 * ```ts
 * import { checkRunState } from './run-state.js';
 * // checkRunState(checkpoint.run).step — the steps the checkpointed run had taken
 * ```
 */
export function checkRunState(json: unknown): RunState {
  validate ??= compileSchema(runStateSchema);
  if (!validate(json)) {
    const e = validate.errors?.[0];
    const path = `resume.run${e?.instancePath ?? ''}`;
    throw new GradstreamError('INVALID_OPTION', `fit: ${path}: ${e?.message ?? 'invalid'} (a run state from a checkpoint's "run" field was expected)`, {
      path,
    });
  }
  const s = json as RunState;
  if (s.epochsDone > s.epoch || (s.epochOpen && s.epochsDone !== s.epoch - 1) || (!s.epochOpen && s.epochsDone !== s.epoch)) {
    throw new GradstreamError('INVALID_OPTION', `fit: resume.run: epoch ${s.epoch}, epochsDone ${s.epochsDone} and epochOpen ${s.epochOpen} do not agree`, {
      path: 'resume.run',
    });
  }
  return s;
}

/**
 * A resumed run must read the data the checkpointed run read: this names the first difference.
 *
 * @example
 * ```ts
 * import { checkSameData } from './run-state.js';
 * checkSameData({ samples: 200, batchSize: 16, shuffle: true }, { samples: 200, batchSize: 8, shuffle: true });
 * // INVALID_OPTION: … read batchSize 16, this one batchSize 8 …
 * ```
 */
export function checkSameData(saved: RunState['data'], now: RunState['data']): void {
  for (const key of ['samples', 'batchSize', 'shuffle'] as const) {
    if (saved[key] !== now[key]) {
      const what = key === 'samples' ? (v: number | boolean | null) => (v === null ? 'a stream' : `${v} samples`) : (v: number | boolean | null) => String(v);
      throw new GradstreamError(
        'INVALID_OPTION',
        `fit: resume: the checkpointed run read ${key === 'samples' ? what(saved[key]) : `${key} ${what(saved[key])}`}, this one ${key === 'samples' ? what(now[key]) : `${key} ${what(now[key])}`}; a run resumes exactly only on the same data and batches`,
        { option: key, saved: saved[key], now: now[key] },
      );
    }
  }
}
