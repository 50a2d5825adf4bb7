import type { CompiledBatch, END_OF_EPOCH, StepEngine, WAIT_FOR_DATA } from './step-engine.js';

/** The next batch, filled into its plan's buffers; or the end of the epoch; or nothing yet (a stream waits for samples). */
export type NextBatch = CompiledBatch | typeof END_OF_EPOCH | typeof WAIT_FOR_DATA;

/**
 * Where a run's batches come from. The run's one loop asks for batches and trains them in time
 * slices, whatever the data: arrays in memory, or samples arriving from a stream.
 */
export interface BatchSource {
  /** Called before the first batch of each epoch. */
  beginEpoch(): void;
  /** Fills the next batch into a plan of `engine`. Throws what a stream failed with, or a bad sample's error. */
  next(engine: StepEngine): NextBatch;
  /** True when every batch of the current epoch has been handed out (a stream: it completed and all is trained). */
  epochDone(): boolean;
  /** Stops listening to the data. */
  close(): void;
}
