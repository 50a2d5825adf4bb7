import type { Domain } from './protocol.js';

/**
 * The smallest square, centred on the origin, that holds every point with a margin (a fraction of
 * the largest coordinate), rounded out to a tenth so the axes read well.
 */
export function squareDomain(xy: ArrayLike<number>, margin = 0.1): Domain {
  let extent = 0;
  for (let i = 0; i < xy.length; i++) extent = Math.max(extent, Math.abs(xy[i] as number));
  const half = Math.ceil(extent * (1 + margin) * 10) / 10 || 1;
  return { min: -half, max: half };
}

/**
 * The input batch for a decision-boundary heat map: the centres of a `resolution × resolution`
 * grid of cells over the square `domain`, as `[x, y]` rows. Row 0 of the grid is the top (largest
 * y), left to right, so the predictions land in image order for `ImageData`.
 */
export function boundaryGrid(domain: Domain, resolution: number): Float32Array {
  if (!Number.isInteger(resolution) || resolution < 1) throw new RangeError(`boundaryGrid: resolution must be a positive integer, got ${resolution}`);
  const cell = (domain.max - domain.min) / resolution;
  const out = new Float32Array(resolution * resolution * 2);
  for (let row = 0; row < resolution; row++) {
    const y = domain.max - (row + 0.5) * cell;
    for (let col = 0; col < resolution; col++) {
      const i = (row * resolution + col) * 2;
      out[i] = domain.min + (col + 0.5) * cell;
      out[i + 1] = y;
    }
  }
  return out;
}

/**
 * Probability of class 1 from two-class logits, row by row: softmax(l)₁ = σ(l₁ − l₀), written in a
 * form that stays finite for logits of any size.
 */
export function classOneProbability(logits: ArrayLike<number>, rows: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const d = (logits[2 * r + 1] as number) - (logits[2 * r] as number);
    out[r] = d >= 0 ? 1 / (1 + Math.exp(-d)) : Math.exp(d) / (1 + Math.exp(d));
  }
  return out;
}
