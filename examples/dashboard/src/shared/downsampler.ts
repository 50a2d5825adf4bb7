/**
 * Keeps a long series short enough to redraw every frame: points go into buckets of equal width
 * (in points); when there are more than `capacity` buckets, neighbours merge pairwise and the
 * width doubles. Each bucket holds the mean x and mean of each series, so a loss curve of a
 * million steps is drawn from at most `capacity` points that still follow its trend.
 */
export class Downsampler {
  private readonly xs: number[] = [];
  private readonly ys: number[][];
  /** Points per full bucket. */
  private width = 1;
  /** Points in the last bucket so far. */
  private filled = 0;
  private total = 0;

  constructor(
    readonly capacity: number,
    readonly series = 1,
  ) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`Downsampler: capacity must be an integer ≥ 2, got ${capacity}`);
    this.ys = Array.from({ length: series }, () => []);
  }

  /** Points pushed since the start (not buckets). */
  get count(): number {
    return this.total;
  }

  /** Points per bucket now. */
  get bucketWidth(): number {
    return this.width;
  }

  push(x: number, ...values: number[]): void {
    this.total++;
    if (this.filled === 0 || this.filled === this.width) {
      this.xs.push(x);
      for (let s = 0; s < this.series; s++) (this.ys[s] as number[]).push(values[s] ?? Number.NaN);
      this.filled = 1;
      if (this.xs.length > this.capacity) this.halve();
      return;
    }
    // Running mean of the open bucket.
    const k = this.filled + 1;
    const last = this.xs.length - 1;
    this.xs[last] = (this.xs[last] as number) + (x - (this.xs[last] as number)) / k;
    for (let s = 0; s < this.series; s++) {
      const ys = this.ys[s] as number[];
      ys[last] = (ys[last] as number) + ((values[s] ?? Number.NaN) - (ys[last] as number)) / k;
    }
    this.filled = k;
  }

  /** The buckets as uPlot's aligned data: `[xs, ys₀, ys₁, …]` (copies). */
  data(): number[][] {
    return [this.xs.slice(), ...this.ys.map((y) => y.slice())];
  }

  clear(): void {
    this.xs.length = 0;
    for (const y of this.ys) y.length = 0;
    this.width = 1;
    this.filled = 0;
    this.total = 0;
  }

  /** Merges neighbouring buckets, weighting each by the points it holds (only the last can be partly filled). */
  private halve(): void {
    const n = this.xs.length;
    const weight = (i: number): number => (i === n - 1 ? this.filled : this.width);
    const merge = (a: number[]): void => {
      let w = 0;
      for (let i = 0; i < n; i += 2) {
        if (i + 1 < n) {
          const wa = weight(i);
          const wb = weight(i + 1);
          a[w++] = ((a[i] as number) * wa + (a[i + 1] as number) * wb) / (wa + wb);
        } else {
          a[w++] = a[i] as number;
        }
      }
      a.length = w;
    };
    const lastFilled = n % 2 === 0 ? this.width + this.filled : this.filled;
    merge(this.xs);
    for (const y of this.ys) merge(y);
    this.width *= 2;
    this.filled = lastFilled;
  }
}
