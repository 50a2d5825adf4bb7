import { describe, expect, it } from 'vitest';
import { Subject, lastValueFrom, tap, toArray } from 'rxjs';
import type { BatchEvent, Sample, TrainEvent } from '@gradstream/trainer';
import { arrivals$, batchRun$, collect, formatComparison, lineModel, noisyLine, onlineRun$, runningLoss, sameBits } from '../src/index.js';

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('the online-learning example', () => {
  it('reaches the batch run’s losses and parameters bit for bit, from a paced stream', async () => {
    const samples = noisyLine({ samples: 100 }); // 12 full batches of 8 and one of 4
    const onlineModel = lineModel();
    const online = await collect(onlineModel, onlineRun$(onlineModel, arrivals$(samples, 1)));
    const batchModel = lineModel();
    const batch = await collect(batchModel, batchRun$(batchModel, samples));
    expect(online.losses).toHaveLength(13);
    expect(online.losses).toEqual(batch.losses);
    expect(online.params).toEqual(batch.params);
    expect(sameBits(online, batch)).toEqual({ losses: true, params: true });
    expect(formatComparison(online, batch, 0.1)).toContain('all 13 step losses identical bit for bit: yes');
  });

  it('learns the line the samples scatter around, down to the noise floor', async () => {
    const noise = 0.1;
    const samples$ = new Subject<Sample>();
    const model = lineModel();
    const result = collect(model, onlineRun$(model, samples$));
    for (const s of noisyLine({ samples: 512, noise })) samples$.next(s);
    samples$.complete();
    const { losses, weight, bias } = await result;
    expect(losses).toHaveLength(64);
    const first = mean(losses.slice(0, 8));
    const last = mean(losses.slice(-16));
    expect(last).toBeLessThan(first / 10);
    // ½·E[(ŷ − y)²] is ½σ² once ŷ is the line itself
    expect(last).toBeLessThan(noise * noise);
    expect(last).toBeGreaterThan((noise * noise) / 4);
    expect(weight).toBeCloseTo(2, 1);
    expect(bias).toBeCloseTo(1, 1);
  });

  it('takes a step each time a batch has arrived, not before', async () => {
    const samples$ = new Subject<Sample>();
    const seen: TrainEvent[] = [];
    const done = lastValueFrom(onlineRun$(lineModel(), samples$, { batchSize: 8 }).pipe(tap((e) => seen.push(e)), toArray()));
    const steps = (): number => seen.filter((e) => e.type === 'batch').length;
    // the run starts on a later turn of the event loop; from then on it steps on the turn after
    // samples make a batch, never inside the producer's next()
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    await turn();
    const line = noisyLine({ samples: 20 });
    line.slice(0, 7).forEach((s) => samples$.next(s));
    await turn();
    expect(steps()).toBe(0);
    samples$.next(line[7] as Sample);
    expect(steps()).toBe(0);
    await turn();
    expect(steps()).toBe(1);
    line.slice(8, 15).forEach((s) => samples$.next(s));
    await turn();
    expect(steps()).toBe(1);
    samples$.next(line[15] as Sample);
    await turn();
    expect(steps()).toBe(2);
    line.slice(16).forEach((s) => samples$.next(s));
    await turn();
    expect(steps()).toBe(2);
    samples$.complete();
    const batches = (await done).filter((e): e is BatchEvent => e.type === 'batch');
    expect(batches.map((b) => b.size)).toEqual([8, 8, 4]); // the rest is trained when the stream completes
  });

  it('reports a running mean over the last steps', async () => {
    const model = lineModel();
    const samples$ = new Subject<Sample>();
    const rows = lastValueFrom(runningLoss(2)(onlineRun$(model, samples$, { batchSize: 4 })).pipe(toArray()));
    noisyLine({ samples: 12 }).forEach((s) => samples$.next(s));
    samples$.complete();
    const r = await rows;
    expect(r.map((x) => [x.step, x.samples])).toEqual([[1, 4], [2, 8], [3, 12]]);
    expect(r[0]?.mean).toBe(r[0]?.loss);
    expect(r[2]?.mean).toBeCloseTo(((r[1]?.loss as number) + (r[2]?.loss as number)) / 2, 12);
  });
});
