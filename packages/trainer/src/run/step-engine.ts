import type { Model, ParamRef, Plan } from '@gradstream/graph';
import type { Tensor } from '@gradstream/tensor';
import type { Divergence, NodeTrace, TensorSnapshot } from '../events.js';
import { createMetric, type Metric, type MetricName } from '../metrics.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { snapshotAll, snapshotTensor } from '../snapshot.js';

/** A plan and its parameter gradients aligned with the model's parameter order. */
export interface CompiledBatch {
  readonly plan: Plan;
  readonly grads: readonly Tensor[];
}

/**
 * The work of one training step, shared by every data source: forward, backward, finiteness
 * check, optimizer update, and the running loss and metrics of the epoch. It keeps one plan per
 * batch size for the run, so steps allocate no buffers.
 */
export class StepEngine {
  readonly refs: readonly ParamRef[];
  private readonly params: readonly Tensor[];
  private readonly plans = new Map<number, CompiledBatch>();
  private readonly metrics: readonly Metric[];
  private lossSum = 0;
  private samples = 0;
  private readonly outWidth: number;
  private optimizerMs = 0;
  /** Time every node and the optimizer (set before the first step). */
  profiling = false;

  constructor(
    readonly model: Model,
    readonly optimizer: Optimizer,
    metricNames: readonly MetricName[],
  ) {
    this.refs = model.parameters();
    this.params = this.refs.map((p) => p.value);
    this.metrics = metricNames.map((m) => createMetric(m, model.backend));
    this.outWidth = model.outputShape.reduce((a, b) => a * b, 1);
  }

  /** The compiled plan for a batch size, created on first use. */
  compiled(size: number): CompiledBatch {
    let c = this.plans.get(size);
    if (c === undefined) {
      const plan = this.model.plan(size, 'train');
      if (this.profiling) plan.enableProfiling();
      c = { plan, grads: this.refs.map((p) => plan.paramGrads.get(p.id) as Tensor) };
      this.plans.set(size, c);
    }
    return c;
  }

  /** Forward and backward on what is in the plan's `x` and `y`; returns the loss. */
  compute(c: CompiledBatch): number {
    const loss = c.plan.forward(true);
    c.plan.backward();
    return loss;
  }

  /** The L2 norm of each parameter gradient, by parameter id. */
  gradNorms(c: CompiledBatch): Record<string, number> {
    const out: Record<string, number> = {};
    const backend = this.model.backend;
    for (let i = 0; i < this.refs.length; i++) out[(this.refs[i] as ParamRef).id] = Math.sqrt(backend.sumSquares((c.grads[i] as Tensor).data));
    return out;
  }

  /**
   * Where the step stopped being finite, or undefined when loss and gradients are all finite.
   * Forward problems are found in node order, backward ones in the order backward ran.
   */
  divergence(c: CompiledBatch, loss: number, norms: Readonly<Record<string, number>>, step: number, epoch: number): Divergence | undefined {
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
    let bad = false;
    for (const id in norms) if (!Number.isFinite(norms[id])) bad = true;
    if (!bad) return undefined;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i] as (typeof nodes)[number];
      const g = c.plan.grads.get(n.name);
      if (g !== undefined && backend.firstNonFinite(g.data) >= 0) return { step, epoch, where: `node "${n.name}" gradient`, node: n.name };
    }
    const ref = this.refs.find((p) => !Number.isFinite(norms[p.id]));
    return { step, epoch, where: `gradient of ${ref?.id}`, node: ref?.node ?? '' };
  }

  /** Applies the optimizer update and adds the batch to the epoch's running loss and metrics. */
  apply(c: CompiledBatch, loss: number, size: number): void {
    // Metrics read the predictions made before the update, as the loss does.
    const pred = (c.plan.values.get(this.model.output) as Tensor).data;
    for (const m of this.metrics) m.add(pred, c.plan.y.data, size, this.outWidth);
    this.lossSum += loss * size;
    this.samples += size;
    if (!this.profiling) {
      this.optimizer.step(this.params, c.grads, this.model.backend);
      return;
    }
    const t0 = performance.now();
    this.optimizer.step(this.params, c.grads, this.model.backend);
    this.optimizerMs += performance.now() - t0;
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

  snapshotParams(): Readonly<Record<string, TensorSnapshot>> {
    return snapshotAll(this.refs.map((p) => [p.id, p.value] as const));
  }

  snapshotGradients(c: CompiledBatch): Readonly<Record<string, TensorSnapshot>> {
    return snapshotAll(this.refs.map((p, i) => [p.id, c.grads[i] as Tensor] as const));
  }

  /** Each node's gradient signal ∂L/∂output, by node name (the loss node excluded). */
  snapshotSignals(c: CompiledBatch): Readonly<Record<string, TensorSnapshot>> {
    return snapshotAll(
      this.model.nodes.filter((n) => n !== this.model.lossNode).map((n) => [n.name, c.plan.grads.get(n.name) as Tensor] as const),
    );
  }

  trace(c: CompiledBatch): readonly NodeTrace[] {
    return Object.freeze(
      this.model.nodes.map((node) =>
        Object.freeze({
          node: node.name,
          op: node.op.name,
          output: snapshotTensor(c.plan.values.get(node.name) as Tensor),
          signal: snapshotTensor(c.plan.grads.get(node.name) as Tensor),
        }),
      ),
    );
  }

  /** Writes parameter values back from a snapshot (early stopping's restore-best). */
  restoreParams(snapshot: Readonly<Record<string, TensorSnapshot>>): void {
    for (const p of this.refs) {
      const s = snapshot[p.id];
      if (s !== undefined) p.value.data.set(s.values);
    }
  }

  /** Drops the run's plans and their buffers. */
  release(): void {
    this.plans.clear();
  }
}
