import { describe, expect, it } from 'vitest';
import { firstValueFrom, lastValueFrom, of } from 'rxjs';
import { Tensor } from '@gradstream/tensor';
import { modelOperator, sequential } from '@gradstream/graph';
import { evaluate, fit, sgd } from '@gradstream/trainer';
import { add, linear, mse, tanh } from '../src/index.js';
import { sine } from '@gradstream/datasets';

/** x → linear(1→16) → tanh → linear(16→16) → tanh → add(with the first tanh) → linear(16→1). */
const residualMlp = (seed: number, backend: 'auto' | 'ts' = 'auto') =>
  sequential(
    [
      linear({ inFeatures: 1, outFeatures: 16 }), // linear_1
      tanh(), // tanh_1: read by linear_2 and by add_1
      linear({ inFeatures: 16, outFeatures: 16 }), // linear_2
      tanh(), // tanh_2
      add({ inputs: ['tanh_2', 'tanh_1'] }), // add_1: the skip connection
      linear({ inFeatures: 16, outFeatures: 1 }), // linear_3
    ],
    { inputShape: [1], loss: mse(), seed, backend },
  );

describe('a residual MLP (add makes the model a DAG)', () => {
  it('wires the skip connection: tanh_1 feeds linear_2 and add_1', () => {
    const m = residualMlp(1);
    expect(m.nodes.map((n) => `${n.name}(${n.inputs.join(',')})`)).toEqual([
      'linear_1(x)',
      'tanh_1(linear_1)',
      'linear_2(tanh_1)',
      'tanh_2(linear_2)',
      'add_1(tanh_2,tanh_1)',
      'linear_3(add_1)',
      'mse_1(linear_3,y)',
    ]);
  });

  it('sums both gradient contributions into the shared value, as the RxJS face does', async () => {
    // The RxJS face computes eagerly on ordinary arrays, with the TypeScript kernels: so does the plan here, to compare bit for bit.
    const model = residualMlp(5, 'ts');
    const x = Tensor.from([[-2], [-0.5], [0.7], [2.5]]);
    const y = Tensor.from([[0.3], [-1], [0.2], [0.9]]);
    const plan = model.compile(4);
    plan.setBatch(x, y);
    const loss = plan.forward();
    plan.backward();

    const r = await firstValueFrom(of({ x, y }).pipe(modelOperator(model)));
    expect(r.loss).toBe(loss);
    const grads = r.tape.backward(r.lossTensor!);
    for (const name of ['linear_1', 'tanh_1', 'linear_2', 'tanh_2', 'add_1', 'linear_3']) {
      expect(Array.from(grads.values.get(r.values.get(name)!)!.data), name).toEqual(Array.from(plan.grads.get(name)!.data));
    }
    for (const p of model.parameters()) expect(Array.from(grads.params.get(p.id)!.data), p.id).toEqual(Array.from(plan.paramGrads.get(p.id)!.data));

    // By hand: ∂L/∂tanh_1 = ∂L/∂add_1 (the skip) + ∂L/∂linear_2 · W₂ (through linear_2).
    const gAdd = plan.grads.get('add_1')!.data;
    const gLin2 = plan.grads.get('linear_2')!.data;
    const w2 = model.node('linear_2').params.weight!.data; // [out 16, in 16]
    const gShared = plan.grads.get('tanh_1')!.data;
    let viaLinear2Norm = 0;
    for (let b = 0; b < 4; b++) {
      for (let i = 0; i < 16; i++) {
        let through = 0;
        for (let o = 0; o < 16; o++) through += gLin2[b * 16 + o]! * w2[o * 16 + i]!;
        viaLinear2Norm += through * through;
        expect(gShared[b * 16 + i]).toBeCloseTo(gAdd[b * 16 + i]! + through, 6);
      }
    }
    expect(viaLinear2Norm).toBeGreaterThan(1e-6); // both paths carry signal, so the sum is a real test
  });

  it('fits y = sin(x) on [−π, π] (64 points) to MSE < 0.01 in 500 epochs of SGD (lr 0.2, batch 8)', async () => {
    const data = sine();
    const model = residualMlp(1);
    const before = evaluate(model, data).mse;
    await lastValueFrom(fit(model, data, { epochs: 500, batchSize: 8, optimizer: sgd({ lr: 0.2 }), seed: 1 }));
    const after = evaluate(model, data).mse;
    expect(after).toBeLessThan(0.01);
    expect(after).toBeLessThan(before);
  });
});
