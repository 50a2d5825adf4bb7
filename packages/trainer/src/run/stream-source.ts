import { isObservable, type Observable, type Subscription } from 'rxjs';
import type { Model } from '@gradstream/graph';
import { GradstreamError } from '@gradstream/tensor';
import type { Sample } from '../dataset.js';
import type { BatchSource, NextBatch } from './batch-source.js';
import { END_OF_EPOCH, WAIT_FOR_DATA, type CompiledBatch, type StepEngine } from './step-engine.js';

/**
 * Samples arriving from an Observable (pushed; queued until trained) or an async iterable (pulled
 * as training needs them, a few batches ahead). One pass over the source is one epoch: a batch is
 * ready once `batchSize` samples have come; when the source completes, what is left makes a last,
 * smaller batch. Each epoch after the first subscribes to (or iterates) the source again.
 */
export class StreamSource implements BatchSource {
  private queue: Sample[] = [];
  private head = 0;
  private done = false;
  private failure: { readonly error: unknown } | undefined;
  private subscription: Subscription | undefined;
  private iterator: AsyncIterator<Sample> | undefined;
  private pulling = false;
  private closed = false;
  private batches = 0;
  /** Samples of this pass still to drop: a resumed run does not train again what its checkpoint had trained. */
  private skipping = 0;
  /** Whether an epoch has taken the pass that `listen` began. */
  private passTaken = false;
  private readonly highWater: number;

  constructor(
    private readonly source: AsyncIterable<Sample> | Observable<Sample>,
    private readonly batchSize: number,
    private readonly model: Model,
    /** Called when samples arrive, the source ends or fails: the run may go on. */
    private readonly onArrival: () => void,
  ) {
    this.highWater = Math.max(4 * batchSize, 64);
  }

  /** Starts one pass over the source. The first starts when the run is subscribed, so a hot source loses nothing. */
  listen(): void {
    this.done = false;
    if (isObservable(this.source)) {
      this.subscription = this.source.subscribe({
        next: (s) => {
          if (this.skipping > 0) this.skipping--;
          else this.queue.push(s);
          this.onArrival();
        },
        error: (e: unknown) => this.failed(e),
        complete: () => {
          this.done = true;
          this.onArrival();
        },
      });
    } else {
      try {
        this.iterator = this.source[Symbol.asyncIterator]();
      } catch (e) {
        this.failed(e);
        return;
      }
      this.pull();
    }
  }

  /**
   * Continues a checkpointed pass: the source is read again from its start (as every epoch reads
   * it), and its first `trained` samples, trained before the checkpoint, are dropped.
   */
  skip(trained: number): void {
    const queued = Math.min(trained, this.queue.length - this.head);
    this.head += queued;
    this.skipping = trained - queued;
    // The pass is the open epoch's: it has had batches (before the checkpoint), and the next epoch reads the source again.
    this.batches = trained > 0 ? 1 : 0;
    this.passTaken = true;
  }

  beginEpoch(): void {
    this.batches = 0;
    // The first epoch takes the pass begun when the run was subscribed; each later one reads the source again.
    if (this.passTaken) this.listen();
    this.passTaken = true;
  }

  epochDone(): boolean {
    return this.done && this.queue.length === this.head;
  }

  next(engine: StepEngine): NextBatch {
    if (this.failure !== undefined) throw this.failure.error;
    const available = this.queue.length - this.head;
    const size = available >= this.batchSize ? this.batchSize : this.done ? available : 0;
    if (size === 0) {
      if (!this.done) {
        this.pull();
        return WAIT_FOR_DATA;
      }
      if (this.batches === 0) throw new GradstreamError('INVALID_DATA', 'fit: the sample stream completed without any sample', {});
      this.queue = [];
      this.head = 0;
      return END_OF_EPOCH;
    }
    const c: CompiledBatch = engine.compiled(size);
    for (let r = 0; r < size; r++) writeSample(c, r, this.queue[this.head + r] as Sample, this.model);
    this.head += size;
    // Drop trained samples now and then, not on every batch: one copy per half-queue trained.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.batches++;
    this.pull();
    return c;
  }

  close(): void {
    this.closed = true;
    this.subscription?.unsubscribe();
    const it = this.iterator;
    this.iterator = undefined;
    if (it?.return !== undefined) it.return().catch(() => undefined);
  }

  private failed(e: unknown): void {
    this.failure = { error: e };
    this.onArrival();
  }

  /** Asks an async iterable for its next sample while fewer than a few batches wait. */
  private pull(): void {
    const it = this.iterator;
    if (it === undefined || this.pulling || this.done || this.closed) return;
    if (this.queue.length - this.head >= this.highWater) return;
    this.pulling = true;
    it.next().then(
      (r) => {
        this.pulling = false;
        if (this.closed) return;
        if (r.done === true) this.done = true;
        else if (this.skipping > 0) this.skipping--;
        else this.queue.push(r.value);
        this.onArrival();
        this.pull();
      },
      (e: unknown) => {
        this.pulling = false;
        if (!this.closed) this.failed(e);
      },
    );
  }
}

/** Copies one arriving sample into row `r` of a plan's batch buffers, checking its widths and values. */
function writeSample(c: CompiledBatch, r: number, s: Sample, model: Model): void {
  const xs = c.plan.x;
  const ys = c.plan.y;
  putRow(xs.data, xs.size / (xs.shape[0] as number), r, s.x, 'x', model);
  putRow(ys.data, ys.size / (ys.shape[0] as number), r, s.y, 'y', model);
}

function putRow(dst: Float32Array | Float64Array, w: number, r: number, v: ArrayLike<number> | number, name: 'x' | 'y', model: Model): void {
  const len = typeof v === 'number' ? 1 : v.length;
  if (len !== w) {
    const reader = model.nodes.find((n) => n.inputs.includes(name));
    throw new GradstreamError('SHAPE_MISMATCH', `${reader ? `${reader.label}, ` : ''}sample.${name}: expected ${w} value(s), got ${len}`, {
      expected: w,
      actual: len,
      value: name,
    });
  }
  for (let j = 0; j < w; j++) {
    const val = typeof v === 'number' ? v : (v[j] as number);
    // val - val is NaN exactly for NaN and ±Infinity.
    if (val - val !== 0) {
      throw new GradstreamError('NON_FINITE_INPUT', `sample.${name}[${j}] is ${val}; values must be finite numbers`, { value: name, column: j });
    }
    dst[r * w + j] = val;
  }
}
