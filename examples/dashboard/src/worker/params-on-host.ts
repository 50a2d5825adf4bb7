import type { Model, ParamRef } from '@gradstream/graph';

/** A model's parameters and state: what a copy of it needs, and what an export saves. */
export function heldRefs(model: Model): ParamRef[] {
  return [...model.parameters(), ...model.state()];
}

/**
 * Brings the device's values of `refs` into their host copies (one transfer), so code that reads
 * a model on the host reads the current values; at once on a CPU backend, whose host values are
 * the model's. Read between steps, they are those of the latest step the run reported: a step
 * queues its update as soon as its batch event has been handled, so a read queued later comes
 * after it.
 */
export async function paramsOnHost(model: Model, refs: readonly ParamRef[] = heldRefs(model)): Promise<void> {
  await model.backend.sync?.download(refs.map((r) => r.value.data));
}

/**
 * A model to compute on the CPU with the parameters of `model`: the model itself on a CPU
 * backend; on WebGPU a copy on the CPU (`build`), given the GPU's current parameters and state
 * at each {@link CpuCopy.refresh}. For the dashboard's maps, a CPU pass over a few thousand
 * points of a small network costs less than the GPU's (a software adapter such as SwiftShader
 * takes about a second for the 100 × 100 grid, holding training up behind it), and it reads back
 * a few hundred numbers instead of the maps.
 */
export class CpuCopy {
  readonly model: Model;

  constructor(
    private readonly source: Model,
    build: () => Model,
  ) {
    this.model = source.backend.sync === undefined ? source : build();
  }

  /** Gives the copy the source's current parameters and state (nothing to do on a CPU backend). */
  async refresh(): Promise<void> {
    if (this.model === this.source) return;
    const from = heldRefs(this.source);
    const to = heldRefs(this.model);
    await paramsOnHost(this.source, from);
    from.forEach((ref, i) => {
      const target = to[i];
      if (target === undefined || target.id !== ref.id) throw new Error(`the CPU copy of the model has no ${ref.id} where the model has it`);
      target.value.data.set(ref.value.data);
    });
  }
}
