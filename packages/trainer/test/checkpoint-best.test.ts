import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastValueFrom, tap, toArray } from 'rxjs';
import type { Checkpoint } from '@gradstream/graph';
import { loadCheckpoint, writeCheckpointFile } from '@gradstream/graph/node';
import { checkpointBest, fit, sgd } from '../src/index.js';
import { mlp, sine } from './fixtures.js';

describe('checkpointBest', () => {
  it('saves each improvement, never two writes at once, the newest waiting one only, and completes after the last write', async () => {
    const saved: Checkpoint[] = [];
    let active = 0;
    let maxActive = 0;
    const slowSave = async (c: Checkpoint): Promise<void> => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 15));
      saved.push(c);
      active--;
    };
    const improvements: number[] = [];
    let best = Infinity;
    const events = await lastValueFrom(
      fit(mlp(1, 8, 1, 1), sine(16), {
        epochs: 12,
        batchSize: 16,
        optimizer: sgd({ lr: 0.3 }),
        sliceMs: 1e9,
        policies: [checkpointBest({ monitor: 'loss', save: slowSave })],
      }).pipe(
        tap((e) => {
          if (e.type === 'epoch' && e.loss < best) {
            best = e.loss;
            improvements.push(e.epoch);
          }
        }),
        toArray(),
      ),
    );
    expect(events[events.length - 1]!.type).toBe('end');
    expect(active).toBe(0); // completion waited for the last write
    expect(maxActive).toBe(1);
    // the whole run takes less than one write, so the first improvement is written, the ones that
    // arrived meanwhile collapse into the newest, and nothing else
    expect(improvements.length).toBeGreaterThan(2);
    expect(saved.map((c) => c.epoch)).toEqual([improvements[0], improvements[improvements.length - 1]]);
  });

  it('writes a loadable file holding the best epoch’s parameters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-best-'));
    const path = join(dir, 'best.ckpt.json');
    const model = mlp(1, 8, 1, 3);
    let bestParams: unknown;
    let bestLoss = Infinity;
    let lastLoss = Infinity;
    await lastValueFrom(
      fit(model, sine(16), {
        epochs: 30,
        batchSize: 16,
        optimizer: sgd({ lr: 9 }),
        params: 'epoch',
        policies: [checkpointBest({ monitor: 'loss', save: (c) => writeCheckpointFile(c, path) })],
      }).pipe(
        tap((e) => {
          // each epoch event is followed by that epoch's parameters
          if (e.type === 'epoch') lastLoss = e.loss;
          if (e.type === 'params' && lastLoss < bestLoss) {
            bestLoss = lastLoss;
            bestParams = e.params;
          }
        }),
        toArray(),
      ),
    );
    expect(readdirSync(dir)).toEqual(['best.ckpt.json']);
    const loaded = await loadCheckpoint(path);
    const params = Object.fromEntries(loaded.model.parameters().map((p) => [p.id, { shape: [...p.value.shape], values: Array.from(p.value.data) }]));
    expect(params).toEqual(bestParams);
    expect(loaded.optimizer).toMatchObject({ name: 'sgd' });
  });

  it('errors the stream when a write fails', async () => {
    const run = lastValueFrom(
      fit(mlp(1, 4, 1, 1), sine(8), {
        epochs: 5,
        batchSize: 8,
        policies: [checkpointBest({ monitor: 'loss', save: () => Promise.reject(new Error('disk full')) })],
      }),
    );
    await expect(run).rejects.toThrow('disk full');
  });
});
