import type { Model, ParamRef, Plan } from '@gradstream/graph';
import { GradstreamError, type DeviceSync, type Tensor, type TypedArray } from '@gradstream/tensor';
import type { Divergence, NodeTrace, TensorSnapshot } from '../events.js';
import { createMetric, type Metric, type MetricName } from '../metrics.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { RunState } from './run-state.js';
import { snapshotAll, snapshotTensor } from '../snapshot.js';
import { SMALL, firstNonFinite } from './finite.js';
import { weightPenaltyFor, type PreparedPenalty } from './weight-penalty.js';

/** A plan and its parameter gradients aligned with the model's parameter order. */
export interface CompiledBatch {
  readonly plan: Plan;
  /** Samples in the batch. */
  readonly size: number;
  readonly grads: readonly Tensor[];
  /** The weight penalty over these gradients, prepared on the first step that has one. */
  penalty: PreparedPenalty | undefined;
  /**
   * On a device backend: each gradient's non-finite flag, then each one's sum of squares, computed
   * on the device and read back with the loss (allocated on the first step).
   */
  checks: TypedArray | undefined;
}


/** A source's answer when every sample of the epoch has been trained. */
export const END_OF_EPOCH = Symbol('end of epoch');

/** A stream source's answer when too few samples have arrived for a batch. */
export const WAIT_FOR_DATA = Symbol('wait for data');

/**
 * The work of one training step, shared by every data source: forward, backward, finiteness
 * check, weight penalty, optimizer update, and the running loss and metrics of the epoch. It
 * keeps one plan per batch size for the run, so steps allocate no buffers.
 */
export class StepEngine {
  /** The trainable parameters: what the optimizer updates and gradient norms are taken of. */
  readonly refs: readonly ParamRef[];
  private readonly params: readonly Tensor[];
  /** The parameters, then the state (moving statistics): what a snapshot shows and `keepParams` keeps. */
  private readonly held: readonly ParamRef[];
  private readonly plans = new Map<number, CompiledBatch>();
  private readonly metrics: readonly Metric[];
  private lossSum = 0;
  private samples = 0;
  /** Rows each sample's output holds (the time steps of `[batch, T, classes]`) and the classes in each. */
  private readonly outRows: number;
  private readonly outWidth: number;
  private optimizerMs = 0;
  /** Each parameter's gradient L2 norm for the last computed batch, in model order. */
  readonly norms: Float64Array;
  private readonly ids: readonly string[];
  private readonly normsTemplate: Readonly<Record<string, number>>;
  private kept: (Float32Array | Float64Array)[] | undefined;
  /** Indices in {@link StepEngine.refs} of the parameters the weight penalty covers: those named `weight`. */
  private readonly penalized: readonly number[];
  /** `[l1, l2]`, the rates of the weight penalty `l1·Σ|w| + (l2/2)·Σw²` (both 0: none); in an array, read without boxing. */
  private readonly rates = new Float64Array(2);
  /** Time every node and the optimizer (set before the first step). */
  profiling = false;

  constructor(
    readonly model: Model,
    readonly optimizer: Optimizer,
    metricNames: readonly MetricName[],
  ) {
    this.refs = model.parameters();
    this.params = this.refs.map((p) => p.value);
    this.held = model.state().length === 0 ? this.refs : [...this.refs, ...model.state()];
    this.metrics = metricNames.map((m) => createMetric(m, model.backend));
    // Metrics score rows of the last axis: one prediction per time step of a sequence output.
    this.outWidth = model.outputShape.at(-1) ?? 1;
    this.outRows = model.outputShape.reduce((a, b) => a * b, 1) / this.outWidth;
    this.norms = new Float64Array(this.refs.length);
    this.ids = this.refs.map((p) => p.id);
    this.normsTemplate = Object.fromEntries(this.ids.map((id) => [id, 0]));
    this.penalized = this.refs.flatMap((p, i) => (p.name === 'weight' ? [i] : []));
  }

  /** Sets the rates of the weight penalty for the following updates (checked by the caller). */
  setRegularization(l1: number, l2: number): void {
    this.rates[0] = l1;
    this.rates[1] = l2;
  }

  /** The rates of the weight penalty the next update uses. */
  regularization(): { readonly l1: number; readonly l2: number } {
    return { l1: this.rates[0] as number, l2: this.rates[1] as number };
  }

  /** The compiled plan for a batch size, created on first use. */
  compiled(size: number): CompiledBatch {
    let c = this.plans.get(size);
    if (c === undefined) {
      const plan = this.model.plan(size, 'train');
      if (this.profiling) plan.enableProfiling();
      c = { plan, size, grads: this.refs.map((p) => plan.paramGrads.get(p.id) as Tensor), penalty: undefined, checks: undefined };
      this.plans.set(size, c);
    }
    return c;
  }

  /**
   * Forward and backward on what is in the plan's `x` and `y`; the loss is then `c.plan.loss`.
   * (Returned from here, a number would be boxed on every step: read from the plan, it is not.)
   */
  compute(c: CompiledBatch): void {
    c.plan.computeGradients();
  }

  /**
   * Computes each parameter gradient's L2 norm into {@link StepEngine.norms}; true when all are
   * finite (one pass over the gradients serves the norms and the finiteness check).
   */
  computeNorms(c: CompiledBatch): boolean {
    const backend = this.model.backend;
    const norms = this.norms;
    let sum = 0;
    for (let i = 0; i < norms.length; i++) {
      const g = (c.grads[i] as Tensor).data;
      // A small gradient is summed here: a kernel call would cost more than its few values.
      let squares = 0;
      if (g.length <= SMALL) for (let j = 0; j < g.length; j++) squares += (g[j] as number) * (g[j] as number);
      else squares = backend.sumSquares(g);
      const n = Math.sqrt(squares);
      norms[i] = n;
      sum += n;
    }
    // sum - sum is NaN exactly when some norm is NaN or +Infinity.
    return sum - sum === 0;
  }

  /**
   * True when every parameter gradient of the batch is finite: the check without the norms, for
   * steps whose batch event nobody reads (a scan for NaN and ±Infinity is cheaper than a sum of
   * squares in float64).
   */
  gradientsFinite(c: CompiledBatch): boolean {
    const backend = this.model.backend;
    const grads = c.grads;
    for (let i = 0; i < grads.length; i++) if (firstNonFinite((grads[i] as Tensor).data, backend) >= 0) return false;
    return true;
  }

  /**
   * On a device backend, after {@link StepEngine.compute}: queues the step's checks on the device
   * (each gradient's finiteness, and its sum of squares when `norms`) and returns what the host
   * must read back to finish the step — the loss, the checks, the predictions when metrics score
   * them, and what `extra` adds (gradients, a trace) — all in one transfer.
   */
  deviceReads(c: CompiledBatch, sync: DeviceSync, norms: boolean, extra: readonly TypedArray[]): TypedArray[] {
    const n = c.grads.length;
    const checks = (c.checks ??= this.model.backend.allocate('float32', 2 * n));
    for (let i = 0; i < n; i++) {
      const g = (c.grads[i] as Tensor).data;
      sync.nonFiniteInto(g, checks, i);
      if (norms) sync.sumSquaresInto(g, checks, n + i);
    }
    const reads = [(c.plan.values.get(this.model.lossNode.name) as Tensor).data, checks, ...extra];
    if (this.metrics.length > 0) reads.push((c.plan.values.get(this.model.output) as Tensor).data);
    return reads;
  }

  /** After the reads of {@link StepEngine.deviceReads}: true when every gradient is finite; the norms filled in when `norms`. */
  deviceChecksPassed(c: CompiledBatch, norms: boolean): boolean {
    const checks = c.checks as TypedArray;
    const n = c.grads.length;
    let finite = true;
    for (let i = 0; i < n; i++) {
      if (checks[i] !== 0) finite = false;
      if (norms) this.norms[i] = Math.sqrt(checks[n + i] as number);
    }
    return finite;
  }

  /** Every array a divergence report or a trace reads: each node's output and incoming gradient. */
  valuesAndGradients(c: CompiledBatch): TypedArray[] {
    const out: TypedArray[] = [];
    for (const n of this.model.nodes) {
      out.push((c.plan.values.get(n.name) as Tensor).data);
      const g = c.plan.grads.get(n.name);
      if (g !== undefined) out.push(g.data);
    }
    return out;
  }

  /** The arrays of the parameters and the state (what a `params` event and a checkpoint read). */
  heldArrays(): TypedArray[] {
    return this.held.map((p) => p.value.data);
  }

  /** The norms of the last batch as a record by parameter id (for a batch event). */
  gradNorms(): Record<string, number> {
    // Cloning a record that already has every key, then overwriting the values, skips the
    // property additions a fresh `{}` would go through on every step.
    const out = { ...this.normsTemplate };
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) out[ids[i] as string] = this.norms[i] as number;
    return out;
  }

  /**
   * Where the step stopped being finite, or undefined when loss and gradients are all finite.
   * Forward problems are found in node order, backward ones in the order backward ran.
   */
  divergence(c: CompiledBatch, loss: number, gradientsFinite: boolean, step: number, epoch: number): Divergence | undefined {
    const backend = this.model.backend;
    const nodes = this.model.nodes;
    if (!Number.isFinite(loss)) {
      for (const n of nodes) {
        if (backend.firstNonFinite((c.plan.values.get(n.name) as Tensor).data) >= 0) {
          return { step, epoch, where: n === this.model.lossNode ? 'loss' : `node "${n.name}" output`, node: n.name };
        }
      }
      return { step, epoch, where: 'loss' };
    }
    if (gradientsFinite) return undefined;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i] as (typeof nodes)[number];
      const g = c.plan.grads.get(n.name);
      if (g !== undefined && backend.firstNonFinite(g.data) >= 0) return { step, epoch, where: `node "${n.name}" gradient`, node: n.name };
    }
    this.computeNorms(c); // the step may have checked finiteness only
    const ref = this.refs.find((_p, i) => !Number.isFinite(this.norms[i]));
    return { step, epoch, where: `gradient of ${ref?.id}`, node: ref?.node ?? '' };
  }

  /** Applies the optimizer update and adds the batch to the epoch's running loss and metrics. */
  apply(c: CompiledBatch): void {
    const size = c.size;
    // Metrics read the predictions made before the update, as the loss does.
    const metrics = this.metrics;
    if (metrics.length > 0) {
      const pred = (c.plan.values.get(this.model.output) as Tensor).data;
      for (const m of metrics) m.add(pred, c.plan.y.data, size * this.outRows, this.outWidth);
    }
    this.lossSum += c.plan.loss * size;
    this.samples += size;
    if (!this.profiling) {
      this.penalize(c);
      this.optimizer.step(this.params, c.grads, this.model.backend);
      return;
    }
    const t0 = performance.now();
    this.penalize(c);
    this.optimizer.step(this.params, c.grads, this.model.backend);
    this.optimizerMs += performance.now() - t0;
  }

  /**
   * Adds the weight penalty's gradient `l1·sign(w) + l2·w` to the gradients of the penalized
   * parameters, in place (after the finiteness check and the batch event, which see the data
   * loss's gradients; before the update, which descends the penalized objective).
   */
  private penalize(c: CompiledBatch): void {
    const rates = this.rates;
    if (rates[0] === 0 && rates[1] === 0) return;
    const penalty = c.penalty ?? (c.penalty = weightPenaltyFor(c.plan, this.model.backend, this.params, c.grads, this.penalized));
    penalty(rates);
  }

  /** Time per node summed over every plan of the run, plus the optimizer's (as `optimizer`). */
  profile(): Record<string, { forwardMs: number; backwardMs: number }> {
    const out: Record<string, { forwardMs: number; backwardMs: number }> = {};
    for (const { plan } of this.plans.values()) {
      for (const [node, t] of Object.entries(plan.profile())) {
        const acc = (out[node] ??= { forwardMs: 0, backwardMs: 0 });
        acc.forwardMs += t.forwardMs;
        acc.backwardMs += t.backwardMs;
      }
    }
    out.optimizer = { forwardMs: 0, backwardMs: this.optimizerMs };
    return out;
  }

  /** The epoch's mean loss and metrics so far; then starts a new epoch. */
  closeEpoch(): { loss: number; metrics: Record<string, number> } {
    const metrics: Record<string, number> = {};
    for (const m of this.metrics) {
      metrics[m.name] = m.value();
      m.reset();
    }
    const loss = this.lossSum / this.samples;
    this.lossSum = 0;
    this.samples = 0;
    return { loss, metrics };
  }

  /** The open epoch's running totals (loss × samples, samples, each metric's sums), for a checkpoint. */
  totals(): RunState['totals'] {
    return { loss: this.lossSum, samples: this.samples, metrics: this.metrics.map((m) => m.state()) };
  }

  /** Continues an epoch from totals given by {@link StepEngine.totals}. */
  setTotals(totals: RunState['totals']): void {
    if (totals.metrics.length !== this.metrics.length) {
      throw new GradstreamError('INVALID_OPTION', `fit: resume.run/totals/metrics: the checkpointed run kept ${totals.metrics.length} metric(s), this one ${this.metrics.length}`, {
        path: 'resume.run/totals/metrics',
      });
    }
    this.lossSum = totals.loss;
    this.samples = totals.samples;
    this.metrics.forEach((m, i) => m.setState(totals.metrics[i] as readonly number[]));
  }

  /** The parameters kept by `keepParams`, as numbers (for a checkpoint), or null. */
  keptValues(): number[][] | null {
    return this.kept === undefined ? null : this.kept.map((k) => Array.from(k));
  }

  /** Puts back parameters kept by an earlier run ({@link StepEngine.keptValues}). */
  setKept(values: readonly (readonly number[])[]): void {
    const sizes = this.held.map((p) => p.value.size);
    if (values.length !== sizes.length || values.some((v, i) => v.length !== sizes[i])) {
      throw new GradstreamError('INVALID_OPTION', `fit: resume.run/kept: the kept parameters do not fit this model (sizes ${values.map((v) => v.length).join(', ')}; the model's ${sizes.join(', ')})`, {
        path: 'resume.run/kept',
      });
    }
    this.kept = this.held.map((p, i) => {
      const copy = p.value.data.slice();
      copy.set(values[i] as readonly number[]);
      return copy;
    });
  }

  /** The parameters and the state, as a `params` event shows them. */
  snapshotParams(): Readonly<Record<string, TensorSnapshot>> {
    return snapshotAll(this.held.map((p) => [p.id, p.value] as const));
  }

  snapshotGradients(c: CompiledBatch): Readonly<Record<string, TensorSnapshot>> {
    return snapshotAll(this.refs.map((p, i) => [p.id, c.grads[i] as Tensor] as const));
  }

  trace(c: CompiledBatch): readonly NodeTrace[] {
    return Object.freeze(
      this.model.nodes.map((node) =>
        Object.freeze({
          node: node.name,
          op: node.op.name,
          loss: node === this.model.lossNode,
          output: snapshotTensor(c.plan.values.get(node.name) as Tensor),
          signal: snapshotTensor(c.plan.grads.get(node.name) as Tensor),
        }),
      ),
    );
  }

  /**
   * Keeps a copy of every parameter, and of the state that goes with them (moving statistics), as
   * they are now (one slot; the copies are made once and reused).
   */
  keepParams(): void {
    const held = this.held;
    const backend = this.model.backend;
    if (backend.sync !== undefined) {
      // On a device the copies stay there too: kept and put back by the device's copy kernel.
      this.kept ??= held.map((p) => backend.allocate('float32', p.value.size) as Float32Array);
      for (let i = 0; i < held.length; i++) backend.copy((held[i] as ParamRef).value.data, this.kept[i] as Float32Array);
      return;
    }
    this.kept ??= held.map((p) => p.value.data.slice());
    for (let i = 0; i < held.length; i++) (this.kept[i] as Float32Array).set((held[i] as ParamRef).value.data);
  }

  /** Writes the kept copy back; false when nothing was kept. */
  restoreKept(): boolean {
    if (this.kept === undefined) return false;
    const held = this.held;
    const backend = this.model.backend;
    if (backend.sync !== undefined) for (let i = 0; i < held.length; i++) backend.copy(this.kept[i] as Float32Array, (held[i] as ParamRef).value.data);
    else for (let i = 0; i < held.length; i++) (held[i] as ParamRef).value.data.set(this.kept[i] as Float32Array);
    return true;
  }

  /** Drops the run's plans and their buffers. */
  release(): void {
    const backend = this.model.backend;
    for (const c of this.plans.values()) if (c.checks !== undefined) backend.free([c.checks]);
    if (backend.sync !== undefined && this.kept !== undefined) backend.free(this.kept);
    this.plans.clear();
  }
}
