import { Rng, type TypedArray } from '@gradstream/tensor';
import type { Dataset } from '../dataset.js';
import type { BatchSource, NextBatch } from './batch-source.js';
import { END_OF_EPOCH, type CompiledBatch, type StepEngine } from './step-engine.js';

/** Input values per batch from which copying a batch in whole beats gathering it row by row. */
const WHOLE_BLOCK_VALUES = 4096;

/**
 * Samples held in memory: each epoch visits every sample once, in an order reshuffled per epoch
 * (seeded), in batches gathered into a plan's buffers. Unshuffled, every epoch has the same
 * batches: each is copied in whole from views made on first use, not row by row.
 */
export class ArraySource implements BatchSource {
  private readonly order: Uint32Array;
  private readonly rng: Rng;
  private position = 0;
  /** The generator's state before the open epoch's shuffle. */
  private epochStart: number[] | undefined;
  /** The plan of the last batch size asked for: every batch but an epoch's last has the same size. */
  private full: CompiledBatch | undefined;
  /**
   * Unshuffled wide batches are copied in whole: batch `i`'s views (from sample `i · batchSize`)
   * are made on first use and kept. Small batches are gathered row by row, as fast without a view each.
   */
  private readonly wholeBlocks: boolean;
  private readonly blocks: ({ readonly x: TypedArray; readonly y: TypedArray } | undefined)[] = [];

  constructor(
    private readonly train: Dataset,
    private readonly batchSize: number,
    private readonly shuffle: boolean,
    seed: number,
  ) {
    this.order = new Uint32Array(train.size);
    for (let i = 0; i < train.size; i++) this.order[i] = i;
    this.rng = Rng.fromSeed(seed);
    this.wholeBlocks = !shuffle && (train.x.size / Math.max(1, train.size)) * batchSize >= WHOLE_BLOCK_VALUES;
  }

  beginEpoch(): void {
    this.position = 0;
    if (!this.shuffle) return;
    // Each epoch shuffles the samples from their stored order, so an epoch's order depends on the
    // generator's state alone: a checkpoint keeps four numbers, not a permutation of the data.
    this.epochStart = this.rng.state();
    const order = this.order;
    for (let i = 0; i < order.length; i++) order[i] = i;
    this.rng.shuffle(order);
  }

  /** The generator's state before the open epoch's shuffle (or the next epoch's, between epochs); null unshuffled. */
  orderState(epochOpen: boolean): number[] | null {
    if (!this.shuffle) return null;
    return epochOpen ? [...(this.epochStart as number[])] : this.rng.state();
  }

  /** Continues from a checkpoint: the generator back where it was, and inside an open epoch, its first `trained` samples skipped. */
  resume(order: readonly number[] | null, epochOpen: boolean, trained: number): void {
    if (order !== null) this.rng.setState(order);
    if (!epochOpen) return;
    this.beginEpoch();
    this.position = Math.min(trained, this.train.size);
  }

  next(engine: StepEngine): NextBatch {
    const n = this.train.size;
    const position = this.position;
    if (position >= n) return END_OF_EPOCH;
    const size = n - position < this.batchSize ? n - position : this.batchSize;
    const c: CompiledBatch = size === this.full?.size ? this.full : (this.full = engine.compiled(size));
    if (!this.wholeBlocks) this.train.gather(this.order, position, size, c.plan.x, c.plan.y);
    else {
      const i = position / this.batchSize;
      const block = this.blocks[i] ?? (this.blocks[i] = this.train.rows(position, size));
      c.plan.x.data.set(block.x);
      c.plan.y.data.set(block.y);
    }
    if (this.train.checksBatches) this.train.checkBatch(this.order, position, size, c.plan.x.data, c.plan.y.data, engine.model.backend);
    this.position = position + size;
    return c;
  }

  epochDone(): boolean {
    return this.position >= this.train.size;
  }

  close(): void {}
}
