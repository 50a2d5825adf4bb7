import { describe, expect, it } from 'vitest';
import { firstValueFrom, of } from 'rxjs';
import { GradstreamError, Tensor } from '@gradstream/tensor';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { Tape, buildModel, modelOperator, nodeOperator, sequential } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

const mlp = (seed = 3) =>
  sequential([linear({ inFeatures: 3, outFeatures: 5 }), sigmoid(), linear({ inFeatures: 5, outFeatures: 2 })], {
    inputShape: [3],
    loss: mse(),
    seed,
  });

describe('building models', () => {
  it('names nodes per op and wires a chain ending in the loss', () => {
    const m = mlp();
    expect(m.nodes.map((n) => n.name)).toEqual(['linear_1', 'sigmoid_1', 'linear_2', 'mse_1']);
    expect(m.nodes.map((n) => n.inputs)).toEqual([['x'], ['linear_1'], ['sigmoid_1'], ['linear_2', 'y']]);
    expect(m.parameters().map((p) => `${p.id} ${p.value.shape.join('x')}`)).toEqual([
      'linear_1.weight 5x3',
      'linear_1.bias 5',
      'linear_2.weight 2x5',
      'linear_2.bias 2',
    ]);
    expect(m.outputShape).toEqual([2]);
  });

  it('initialises parameters from the seed', () => {
    expect(Array.from(mlp(3).parameters()[0]!.value.data)).toEqual(Array.from(mlp(3).parameters()[0]!.value.data));
    expect(Array.from(mlp(3).parameters()[0]!.value.data)).not.toEqual(Array.from(mlp(4).parameters()[0]!.value.data));
  });

  it('names the node and both shapes when layer widths do not chain', () => {
    const e = catchGradstream(() =>
      sequential([linear({ inFeatures: 3, outFeatures: 5 }), linear({ inFeatures: 4, outFeatures: 1 })], { inputShape: [3], loss: mse() }),
    );
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toBe('node "linear_2" (linear), input x: expected [batch,4], got [1,5]');
    expect(e.details.node).toBe('linear_2');
  });

  it('names the node, the input and the shapes for a batch of the wrong width', () => {
    const plan = mlp().compile(4);
    const e = catchGradstream(() => plan.setInput(Tensor.zeros([4, 2])));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toBe('node "linear_1" (linear), input x (x): expected shape [4,3], got [4,2]');
  });

  it('rejects non-finite inputs, naming the node, row and column', () => {
    const plan = mlp().compile(2);
    const x = Tensor.zeros([2, 3]);
    x.data[4] = Number.NaN;
    const e = catchGradstream(() => plan.setInput(x));
    expect(e.code).toBe('NON_FINITE_INPUT');
    expect(e.message).toBe('node "linear_1" (linear), input x (x): value at row 1, column 1 is NaN; inputs must be finite');
  });

  it('reports unknown ops and bad configs with their JSON path', () => {
    const unknown = catchGradstream(() => buildModel({ version: 1, inputShape: [1], layers: [{ op: 'linaer' }], loss: { op: 'mse' } }));
    expect(unknown.code).toBe('UNKNOWN_OP');
    expect(unknown.message).toMatch(/^layers\/0\/op: unknown op "linaer"; registered ops: .*linear.*mse.*sigmoid.* \(did you mean "linear"\?\)$/);
    const bad = catchGradstream(() =>
      buildModel({ version: 1, inputShape: [1], layers: [{ op: 'linear', inFeatures: 1, outFeatures: 1.5 }], loss: { op: 'mse' } }),
    );
    expect(bad.code).toBe('INVALID_CONFIG');
    expect(bad.message).toContain('layers/0/outFeatures must be integer');
  });

  it('rejects a loss that does not output a scalar and inputs that do not exist', () => {
    const e = catchGradstream(() => sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: sigmoid() }));
    expect(e.code).toBe('INVALID_MODEL');
    const wiring = catchGradstream(() => sequential([linear({ inFeatures: 1, outFeatures: 1, inputs: ['nope'] })], { inputShape: [1], loss: mse() }));
    expect(wiring.message).toContain('layers/0/inputs/0: unknown value "nope"');
  });
});

describe('the RxJS face and the compiled plan', () => {
  it('compute the same outputs, loss and gradients', async () => {
    const model = mlp(11);
    const x = Tensor.from([[0.1, -0.2, 0.3], [1, 2, -1], [0, 0.5, 0.25], [-1, -1, 1]]);
    const y = Tensor.from([[0, 1], [1, 0], [0.5, 0.5], [1, 1]]);

    const plan = model.compile(4);
    plan.setBatch(x, y);
    const loss = plan.forward();
    plan.backward();

    const result = await firstValueFrom(of({ x, y }).pipe(modelOperator(model)));
    expect(result.loss).toBe(loss);
    expect(Array.from(result.output.data)).toEqual(Array.from(plan.values.get('linear_2')!.data));
    const grads = result.tape.backward(result.lossTensor!);
    for (const p of model.parameters()) {
      expect(Array.from(grads.params.get(p.id)!.data)).toEqual(Array.from(plan.paramGrads.get(p.id)!.data));
    }
    for (const name of ['linear_1', 'sigmoid_1', 'linear_2']) {
      expect(Array.from(grads.values.get(result.values.get(name)!)!.data)).toEqual(Array.from(plan.grads.get(name)!.data));
    }
  });

  it('lets batches flow through node operators one by one', async () => {
    const model = mlp(5);
    const tape = new Tape();
    const x = Tensor.from([[1, 2, 3]]);
    const out = await firstValueFrom(
      of(x).pipe(nodeOperator(model.nodes[0]!, { tape }), nodeOperator(model.nodes[1]!, { tape }), nodeOperator(model.nodes[2]!, { tape })),
    );
    expect(tape.entries.map((e) => e.node.name)).toEqual(['linear_1', 'sigmoid_1', 'linear_2']);
    expect(Array.from(out.data)).toEqual(Array.from(model.predict([[1, 2, 3]]).data));
  });
});
