import type { Boundary, Domain, PointCloud, Problem } from '../shared/protocol.js';
import { CLASS_COLORS, divergingColor, probabilityColor } from './colors.js';

/**
 * The model's output over the plane as a heat map, the points on top: in classification the
 * probability of class 1 (orange → grey → blue), in regression the predicted value (orange −1,
 * blue +1). The heat map is painted at the grid's resolution and scaled up smoothly, as TensorFlow
 * Playground does. Training points are filled; test points, when shown, are outlined in black.
 */
export class BoundaryView {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly cells = document.createElement('canvas');
  private points: PointCloud | undefined;
  private domain: Domain = { min: -1, max: 1 };
  private boundary: Boundary | undefined;
  private problem: Problem = 'classification';
  private withTest = false;
  private dirty = false;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    new ResizeObserver(() => {
      this.dirty = true;
      this.render();
    }).observe(canvas);
  }

  reset(points: PointCloud, domain: Domain, boundary: Boundary, problem: Problem): void {
    this.points = points;
    this.domain = domain;
    this.problem = problem;
    this.update(boundary);
  }

  /** Draws the test points too (outlined), or only the training points. */
  showTest(show: boolean): void {
    this.withTest = show;
    this.dirty = true;
  }

  update(boundary: Boundary): void {
    this.boundary = boundary;
    const n = boundary.resolution;
    this.cells.width = n;
    this.cells.height = n;
    const cctx = this.cells.getContext('2d') as CanvasRenderingContext2D;
    const image = cctx.createImageData(n, n);
    if (this.problem === 'classification') for (let i = 0; i < n * n; i++) probabilityColor(boundary.values[i] as number, image.data, i * 4);
    else for (let i = 0; i < n * n; i++) divergingColor(boundary.values[i] as number, 1, image.data, i * 4);
    cctx.putImageData(image, 0, 0);
    this.dirty = true;
  }

  /** The step whose weights the heat map shows. */
  get step(): number {
    return this.boundary?.step ?? 0;
  }

  render(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const { canvas, ctx } = this;
    const ratio = window.devicePixelRatio || 1;
    const size = Math.floor(Math.min(canvas.clientWidth, canvas.clientHeight) * ratio);
    if (size <= 0) return;
    if (canvas.width !== size || canvas.height !== size) {
      canvas.width = size;
      canvas.height = size;
    }
    canvas.dataset.step = String(this.step);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.cells, 0, 0, size, size);
    const { min, max } = this.domain;
    const toPx = (v: number): number => ((v - min) / (max - min)) * size;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.12)';
    ctx.lineWidth = ratio;
    ctx.beginPath();
    ctx.moveTo(toPx(0), 0);
    ctx.lineTo(toPx(0), size);
    ctx.moveTo(0, size - toPx(0));
    ctx.lineTo(size, size - toPx(0));
    ctx.stroke();
    const points = this.points;
    if (points === undefined) return;
    const r = Math.max(2.5, size / 140);
    ctx.lineWidth = ratio;
    const swatch = new Uint8ClampedArray(4);
    let shown = 0;
    for (let i = 0; i < points.labels.length; i++) {
      const test = points.test[i] === 1;
      if (test && !this.withTest) continue;
      shown++;
      const x = toPx(points.xy[2 * i] as number);
      const y = size - toPx(points.xy[2 * i + 1] as number);
      const label = points.labels[i] as number;
      if (this.problem === 'classification') {
        ctx.fillStyle = CLASS_COLORS[label >= 0.5 ? 1 : 0];
      } else {
        // The point's target, saturated so it stands out from the paler map.
        divergingColor(label, 0.6, swatch, 0);
        ctx.fillStyle = `rgb(${swatch[0]}, ${swatch[1]}, ${swatch[2]})`;
      }
      ctx.strokeStyle = test ? '#000000' : '#ffffff';
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    canvas.dataset.points = String(shown);
  }
}
