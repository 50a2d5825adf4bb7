import { DIGIT_SIDE } from '@gradstream/datasets/digits';

/**
 * Copies the 28×28 image at `src[srcOffset …]` into `dst[dstOffset …]` moved right by `dx` and down
 * by `dy` pixels (negative: left, up). Pixels moved in from outside the frame are 0 (background).
 */
export function shiftImage(
  src: ArrayLike<number>,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  dx: number,
  dy: number,
): void {
  const side = DIGIT_SIDE;
  dst.fill(0, dstOffset, dstOffset + side * side);
  const colFrom = Math.max(0, dx);
  const colTo = Math.min(side, side + dx);
  for (let row = Math.max(0, dy); row < Math.min(side, side + dy); row++) {
    const from = srcOffset + (row - dy) * side - dx;
    const to = dstOffset + row * side;
    for (let col = colFrom; col < colTo; col++) dst[to + col] = src[from + col] as number;
  }
}
