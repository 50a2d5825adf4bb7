import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedCheckpoint, Model, Registry } from '@gradstream/graph';
import { loadCheckpoint, saveCheckpoint } from '@gradstream/graph/node';
import { adam, type Optimizer, type OptimizerState } from '@gradstream/trainer';
import { sineData, train } from './network.js';

/** What a save-and-reload showed. */
export interface RoundTrip {
  /** The checkpoint file (in a temporary directory, removed afterwards). */
  readonly path: string;
  readonly bytes: number;
  /** The model's and the reloaded model's predictions on the training inputs. */
  readonly predictions: readonly [Float32Array, Float32Array];
  /** Step losses of the original run going on, and of the reloaded model going on from the checkpoint. */
  readonly continued: readonly [readonly number[], readonly number[]];
  /** Every parameter after the two continued runs, in the same order. */
  readonly params: readonly [readonly Float32Array[], readonly Float32Array[]];
}

const copyParams = (m: Model): Float32Array[] => m.parameters().map((p) => Float32Array.from(p.value.data));

/**
 * Saves the model and its optimizer's state to a checkpoint file, loads it back in `registry`, and
 * trains both the original (with its own optimizer) and the reloaded model (with a new Adam given
 * the saved state) for `epochs` more steps.
 */
export async function saveAndReload(model: Model, optimizer: Optimizer, registry: Registry, epochs = 200): Promise<RoundTrip> {
  const dir = await mkdtemp(join(tmpdir(), 'gradstream-custom-layer-'));
  try {
    const path = join(dir, 'swish-sine.ckpt.json');
    await saveCheckpoint(model, path, { optimizer: optimizer.state(), meta: { example: 'custom-layer' } });
    const { size } = await stat(path);
    const loaded = await loadCheckpoint(path, { registry });
    const predictions = [model.predict(sineData.x).data as Float32Array, loaded.model.predict(sineData.x).data as Float32Array] as const;
    const resumed = restoredOptimizer(loaded);
    const a = await train(model, { epochs, optimizer });
    const b = await train(loaded.model, { epochs, optimizer: resumed });
    return { path, bytes: size, predictions, continued: [a.losses, b.losses], params: [copyParams(model), copyParams(loaded.model)] };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A new Adam carrying the state saved in the checkpoint (moments, step count, settings). */
function restoredOptimizer(loaded: LoadedCheckpoint): Optimizer {
  const optimizer = adam();
  optimizer.setState(loaded.optimizer as unknown as OptimizerState);
  return optimizer;
}

/** True when two float32 arrays hold the same bits, element by element. */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.every((v, i) => v === ub[i]);
}

/** Saves the model and loads it in `registry` (one without the swish, say): the error it gives, or `undefined` if it loads. */
export async function loadIn(model: Model, registry: Registry): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'gradstream-custom-layer-'));
  try {
    const path = join(dir, 'swish-sine.ckpt.json');
    await saveCheckpoint(model, path);
    await loadCheckpoint(path, { registry });
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
