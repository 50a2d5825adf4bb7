import type { Plan } from '@gradstream/graph';
import { Tensor } from '@gradstream/tensor';
import { featureRows } from '../shared/features.js';
import { boundaryGrid, classOneProbability } from '../shared/grid.js';
import type { Boundary, Domain, RunSettings, Topology } from '../shared/protocol.js';
import type { CpuCopy } from './params-on-host.js';

/** Cells per side of the decision-boundary heat map. */
const RESOLUTION = 100;
/** Cells per side of each unit's small map in the network drawing. */
const UNIT_RESOLUTION = 24;

/** A grid of the plane as the network's input rows. */
interface Grid {
  readonly cells: number;
  readonly input: Tensor;
}

/**
 * The model over the plane: its output on a fine grid, and every hidden unit's on a coarse one,
 * each from one batch through the inference plan of the model's CPU copy (compiled once per grid,
 * kept by the model), given the current parameters first.
 */
export class BoundaryProbe {
  private readonly grid: Grid;
  private readonly unitGrid: Grid;

  constructor(
    private readonly cpu: CpuCopy,
    private readonly settings: RunSettings,
    private readonly topology: Topology,
    domain: Domain,
  ) {
    this.grid = this.gridOf(domain, RESOLUTION);
    this.unitGrid = this.gridOf(domain, UNIT_RESOLUTION);
  }

  /** Each input feature over the coarse grid, feature after feature: the input column's maps. */
  featureMaps(): Float32Array {
    const features = this.settings.features.length;
    const cells = this.unitGrid.cells;
    // The grid's input rows are the features' values there.
    const rows = this.unitGrid.input.data;
    const maps = new Float32Array(features * cells);
    for (let f = 0; f < features; f++) for (let c = 0; c < cells; c++) maps[f * cells + c] = rows[c * features + f] as number;
    return maps;
  }

  /**
   * The output and unit maps of the model as it is now (on WebGPU, once its parameters are back
   * from the GPU), labelled with `step`.
   */
  async read(step: number): Promise<Boundary> {
    await this.cpu.refresh();
    const plan = this.predict(this.grid);
    const unitPlan = this.predict(this.unitGrid);
    const out = plan.values.get(this.cpu.model.output) as Tensor;
    const hidden = this.topology.hidden.map((name) => unitPlan.values.get(name) as Tensor);
    const cells = this.grid.cells;
    const values = this.settings.problem === 'classification' ? classOneProbability(out.data, cells) : Float32Array.from(out.data);
    const unitCells = this.unitGrid.cells;
    const units = hidden.map(({ data }) => {
      const width = data.length / unitCells;
      // From [cell, unit] rows to one map per unit.
      const maps = new Float32Array(data.length);
      for (let c = 0; c < unitCells; c++) for (let u = 0; u < width; u++) maps[u * unitCells + c] = data[c * width + u] as number;
      return maps;
    });
    return { step, resolution: RESOLUTION, values, unitResolution: UNIT_RESOLUTION, units };
  }

  private predict(grid: Grid): Plan {
    const plan = this.cpu.model.plan(grid.cells, 'infer');
    plan.setInput(grid.input);
    plan.predict();
    return plan;
  }

  private gridOf(domain: Domain, resolution: number): Grid {
    const rows = featureRows(boundaryGrid(domain, resolution), this.settings.features);
    return { cells: resolution * resolution, input: new Tensor([resolution * resolution, this.settings.features.length], rows) };
  }
}
