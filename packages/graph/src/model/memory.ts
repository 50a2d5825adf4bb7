import { GradstreamError, formatShape, sizeOf, type Backend, type DType, type Shape } from '@gradstream/tensor';

/** The share of the machine's memory (or of its container's limit) a model and one of its plans may take by default in Node. */
const NODE_SHARE = 0.25;
/** The default where the platform does not say how much memory it has (browsers): 1 GiB. */
const FIXED_LIMIT = 2 ** 30;
/** Elements one typed array may hold where the platform does not say: what every current engine allows at least. */
const FALLBACK_MAX_LENGTH = 2 ** 31 - 1;

interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
  constrainedMemory?: () => number | undefined;
}

// Looked up at call time, not imported: the package also runs in browsers, where there is no `node:os`.
const nodeProcess = (): NodeProcess | undefined => (globalThis as { process?: NodeProcess }).process;

/**
 * The memory limit a model gets when {@link BuildOptions.memoryLimit} is not given, in bytes: in
 * Node a quarter of the machine's memory (`os.totalmem()`, or the container's limit where that is
 * lower), leaving the rest for optimizer state, data and everything else the process holds; where
 * the platform does not say how much memory it has (a browser), 1 GiB.
 *
 * @example
 * ```ts
 * import { defaultMemoryLimit, formatBytes } from '@gradstream/graph';
 * console.log(`models may take ${formatBytes(defaultMemoryLimit())}`); // e.g. "models may take 3.9 GiB"
 * ```
 */
export function defaultMemoryLimit(): number {
  const p = nodeProcess();
  const os = p?.getBuiltinModule?.('node:os') as { totalmem?: () => number } | undefined;
  const total = os?.totalmem?.();
  if (total === undefined || !(total > 0)) return FIXED_LIMIT;
  // An unconstrained process reports 0, undefined or a huge number here; only a real cgroup limit is lower.
  const constrained = p?.constrainedMemory?.();
  const available = constrained !== undefined && constrained > 0 ? Math.min(total, constrained) : total;
  return Math.floor(available * NODE_SHARE);
}

/**
 * The most elements one typed array may hold on this platform: `buffer.constants.MAX_LENGTH` in
 * Node (2³² in Node 20), else 2³¹ − 1. A buffer longer than this cannot be allocated whatever the
 * memory limit.
 *
 * @example
 * ```ts
 * import { maxBufferLength } from './memory.js';
 * maxBufferLength(); // 4294967296 in Node 20
 * ```
 */
export function maxBufferLength(): number {
  const buffer = nodeProcess()?.getBuiltinModule?.('node:buffer') as { constants?: { MAX_LENGTH?: number } } | undefined;
  return buffer?.constants?.MAX_LENGTH ?? FALLBACK_MAX_LENGTH;
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/**
 * A byte count for people, in binary units: `524 B`, `2.1 KiB`, `150 KiB`, `11 GiB` (one decimal
 * below 10, whole numbers above).
 *
 * @example
 * ```ts
 * import { formatBytes } from '@gradstream/graph';
 * formatBytes(524); // '524 B'
 * formatBytes(2150); // '2.1 KiB'
 * ```
 */
export function formatBytes(bytes: number): string {
  if (!(bytes >= 1024)) return `${bytes} B`;
  let v = bytes;
  let unit = -1;
  while (v >= 1024 && unit < UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[unit]}`;
}

/**
 * Bytes for a message, rounded and exact: `11 GiB (12000000008 bytes)`, or `524 B`.
 *
 * @example
 * ```ts
 * import { bytesText } from './memory.js';
 * bytesText(1536); // '1.5 KiB (1536 bytes)'
 * ```
 */
export const bytesText = (n: number): string => (n < 1024 || !Number.isFinite(n) ? `${n} B` : `${formatBytes(n)} (${n} bytes)`);

/**
 * What a model takes in memory, in bytes, for training or inference at one batch size; see
 * {@link Model.memory}. Computed from shapes alone: nothing is allocated to know it.
 *
 * @example
 * ```ts
 * import type { MemoryEstimate } from '@gradstream/graph';
 * const fits = (m: MemoryEstimate, budget: number) => m.total <= budget;
 * ```
 */
export interface MemoryEstimate {
  /** The parameters and the state (moving statistics), allocated when the model is built. */
  readonly parameters: number;
  /**
   * One plan at the batch size: input and target, every node's output, and scratch; a training
   * plan also every gradient, of the values and of the parameters. Equals `plan.bytes` once compiled.
   */
  readonly plan: number;
  /** Optimizer state: {@link MemoryOptions.optimizerSlots} buffers shaped like the trainable parameters. */
  readonly optimizer: number;
  /** `parameters + plan + optimizer`. */
  readonly total: number;
}

/**
 * Bytes of one element of a dtype.
 *
 * @example
 * ```ts
 * import { bytesPerElement } from './memory.js';
 * bytesPerElement('float64'); // 8
 * ```
 */
export const bytesPerElement = (dtype: DType): number => (dtype === 'float64' ? 8 : 4);

/**
 * A memory limit as an option gives it, checked: a positive number of bytes (`Infinity` turns the
 * limit off; the typed-array length still applies); undefined gives {@link defaultMemoryLimit}.
 *
 * @example
 * ```ts
 * import { resolveMemoryLimit } from './memory.js';
 * resolveMemoryLimit(2 ** 30, 'memoryLimit'); // 1073741824
 * ```
 */
export function resolveMemoryLimit(limit: number | undefined, option: string): number {
  if (limit === undefined) return defaultMemoryLimit();
  if (typeof limit !== 'number' || !(limit > 0)) {
    throw new GradstreamError('INVALID_OPTION', `${option} must be a positive number of bytes (or Infinity), got ${String(limit)}`, { option, value: limit });
  }
  return limit;
}

/**
 * One buffer a model or a plan is about to allocate, and whose it is, so that a refusal can name
 * the layer.
 *
 * @example
 * ```ts
 * import type { BufferNeed } from './memory.js';
 * const weight: BufferNeed = { node: 'linear_1', label: 'node "linear_1" (linear)', path: 'layers/0', what: 'weight', shape: [4, 2] };
 * ```
 */
export interface BufferNeed {
  /** The node it belongs to; undefined for a plan's input and target. */
  readonly node: string | undefined;
  /** How messages name its owner: `node "linear_1" (linear)`, `the input x`. */
  readonly label: string;
  /** JSON path of the owner's layer in the spec (`layers/0`, `loss`), where it has one. */
  readonly path: string | undefined;
  /** What the buffer holds: `weight`, `output`, `gradient of the output`, `scratch mask`. */
  readonly what: string;
  readonly shape: Shape;
}

/**
 * How {@link checkMemory} words a refusal.
 *
 * @example
 * ```ts
 * import type { MemoryCheck } from './memory.js';
 * const c: MemoryCheck = { subject: 'the model', purpose: 'for its parameters', option: 'memoryLimit', leadWithPath: true };
 * ```
 */
export interface MemoryCheck {
  /** Who needs the memory: `the model`, `compile(32): a training plan`. */
  readonly subject: string;
  /** What for, after the amount: `for its parameters`. */
  readonly purpose: string;
  /** Bytes already held that count towards the limit (a plan's model's parameters), and what they are. */
  readonly held?: { readonly bytes: number; readonly what: string };
  /** The option that raises the limit, for the hint. */
  readonly option: string;
  /** Start the message with the layer's JSON path, as the errors of building a spec do. */
  readonly leadWithPath: boolean;
}

/** One owner's part of the buffers: all its bytes, and its largest buffer. */
interface Share {
  readonly need: BufferNeed;
  bytes: number;
  largest: BufferNeed;
  largestBytes: number;
}

/**
 * Refuses buffers that together exceed `limit` bytes (with what is already held), or one of which
 * is longer than a typed array may be: a `TOO_LARGE` error naming the layer responsible (the one
 * needing the most), its JSON path, and the bytes needed against the limit. Returns the bytes of
 * the buffers. Runs on shapes alone, before anything is allocated.
 *
 * @example
 * ```ts
 * import { checkMemory } from './memory.js';
 * const need = { node: 'linear_1', label: 'node "linear_1" (linear)', path: 'layers/0', what: 'weight', shape: [4, 2] };
 * checkMemory([need], 'float32', 1024, { subject: 'the model', purpose: 'for its parameters', option: 'memoryLimit', leadWithPath: true }); // 32
 * ```
 */
export function checkMemory(needs: readonly BufferNeed[], dtype: DType, limit: number, check: MemoryCheck): number {
  const bpe = bytesPerElement(dtype);
  const maxLength = maxBufferLength();
  const lead = (n: BufferNeed): string => (check.leadWithPath && n.path !== undefined ? `${n.path}: ` : '');
  const owner = (n: BufferNeed): string => (check.leadWithPath || n.path === undefined ? n.label : `${n.label} at ${n.path}`);
  let total = 0;
  const byOwner = new Map<string, Share>();
  for (const n of needs) {
    const elements = sizeOf(n.shape);
    const bytes = elements * bpe;
    if (elements > maxLength) {
      throw new GradstreamError(
        'TOO_LARGE',
        `${lead(n)}${check.leadWithPath ? '' : `${check.subject}: `}${owner(n)} needs ${bytesText(bytes)} for its ${n.what} ${formatShape(n.shape)} ` +
          `(${elements} elements), beyond the ${maxLength} elements (${formatBytes(maxLength * bpe)}) one ${dtype} typed array can hold`,
        { node: n.node, path: n.path, buffer: n.what, shape: [...n.shape], bytes, limit: maxLength * bpe, elements, maxElements: maxLength },
      );
    }
    total += bytes;
    addShare(byOwner, n, bytes);
  }
  const held = check.held?.bytes ?? 0;
  if (total + held > limit) {
    const t = largestShare(byOwner);
    const besides = check.held === undefined ? '' : ` with ${check.held.what} (${bytesText(held)})`;
    throw new GradstreamError(
      'TOO_LARGE',
      `${lead(t.need)}${check.subject} needs ${bytesText(total + held)} ${check.purpose}${besides}, beyond the memory limit of ${bytesText(limit)}; ` +
        `${owner(t.need)} takes ${formatBytes(t.bytes)} of it, ${formatBytes(t.largestBytes)} for its ${t.largest.what} ${formatShape(t.largest.shape)} ` +
        `(the \`${check.option}\` option raises the limit)`,
      { node: t.need.node, path: t.need.path, bytes: total + held, limit, layerBytes: t.bytes, buffer: t.largest.what, shape: [...t.largest.shape] },
    );
  }
  return total;
}

/** Counts a buffer's bytes towards its owner's share (the node, or the label of an input). */
function addShare(byOwner: Map<string, Share>, n: BufferNeed, bytes: number): void {
  const key = n.node ?? n.label;
  const o = byOwner.get(key);
  if (o === undefined) {
    byOwner.set(key, { need: n, bytes, largest: n, largestBytes: bytes });
    return;
  }
  o.bytes += bytes;
  if (bytes > o.largestBytes) {
    o.largest = n;
    o.largestBytes = bytes;
  }
}

/** The owner needing the most bytes: a refusal names it, since making it smaller helps most. */
function largestShare(byOwner: ReadonlyMap<string, Share>): Share {
  let top: Share | undefined;
  for (const o of byOwner.values()) if (top === undefined || o.bytes > top.bytes) top = o;
  return top as Share;
}

/**
 * Refuses buffers that do not fit in what is left of the backend's own memory (see
 * `Backend.memoryCeiling`: a wasm32 memory holds 4 GiB at most, however much the machine has and
 * whatever the memory limit): a `TOO_LARGE` error naming the layer needing the most, its JSON
 * path, and the bytes needed against the bytes free. Each buffer counts whole blocks of the
 * memory's alignment. Runs on shapes alone, before anything is allocated; a backend without a
 * ceiling (the TypeScript one) passes everything.
 *
 * @example
 * ```ts
 * import { tsBackend } from '@gradstream/tensor';
 * import { checkMemoryCeiling } from './memory.js';
 * const need = { node: 'linear_1', label: 'node "linear_1" (linear)', path: 'layers/0', what: 'weight', shape: [4, 2] };
 * checkMemoryCeiling([need], 'float32', tsBackend, { subject: 'the model', purpose: 'for its parameters', leadWithPath: true }); // no ceiling: passes
 * ```
 */
export function checkMemoryCeiling(needs: readonly BufferNeed[], dtype: DType, backend: Backend, check: Pick<MemoryCheck, 'subject' | 'purpose' | 'leadWithPath'>): void {
  const ceiling = backend.memoryCeiling?.(dtype);
  if (ceiling === undefined) return;
  const bpe = bytesPerElement(dtype);
  const align = Math.max(1, ceiling.alignment);
  const byOwner = new Map<string, Share>();
  let total = 0;
  for (const n of needs) {
    const bytes = Math.ceil(Math.max(sizeOf(n.shape) * bpe, 1) / align) * align;
    total += bytes;
    addShare(byOwner, n, bytes);
  }
  if (total <= ceiling.freeBytes) return;
  const t = largestShare(byOwner);
  const lead = check.leadWithPath && t.need.path !== undefined ? `${t.need.path}: ` : '';
  const owner = check.leadWithPath || t.need.path === undefined ? t.need.label : `${t.need.label} at ${t.need.path}`;
  const other = backend.name === 'ts' ? '' : " (the 'ts' backend has no such ceiling)";
  throw new GradstreamError(
    'TOO_LARGE',
    `${lead}${check.subject} needs ${bytesText(total)} ${check.purpose}, beyond the ${bytesText(ceiling.freeBytes)} free in the ${backend.name} backend's memory, ` +
      `which holds ${formatBytes(ceiling.maxBytes)} at most (${ceiling.why}); ` +
      `${owner} takes ${formatBytes(t.bytes)} of it, ${formatBytes(t.largestBytes)} for its ${t.largest.what} ${formatShape(t.largest.shape)}${other}`,
    {
      node: t.need.node,
      path: t.need.path,
      bytes: total,
      limit: ceiling.freeBytes,
      backend: backend.name,
      maxBytes: ceiling.maxBytes,
      layerBytes: t.bytes,
      buffer: t.largest.what,
      shape: [...t.largest.shape],
    },
  );
}
