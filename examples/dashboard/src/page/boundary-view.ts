import type { Boundary, Domain, PointCloud } from '../shared/protocol.js';
import { CLASS_COLORS, probabilityColor } from './colors.js';

/**
 * The decision boundary: the model's probability of class 1 over the plane as a heat map
 * (orange → grey → blue), the training points on top. The heat map is painted at the grid's
 * resolution and scaled up smoothly, as TensorFlow Playground does.
 */
export class BoundaryView {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly cells = document.createElement('canvas');
  private points: PointCloud | undefined;
  private domain: Domain = { min: -1, max: 1 };
  private boundary: Boundary | undefined;
  private dirty = false;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    new ResizeObserver(() => {
      this.dirty = true;
      this.render();
    }).observe(canvas);
  }

  reset(points: PointCloud, domain: Domain, boundary: Boundary): void {
    this.points = points;
    this.domain = domain;
    this.update(boundary);
  }

  update(boundary: Boundary): void {
    this.boundary = boundary;
    const n = boundary.resolution;
    this.cells.width = n;
    this.cells.height = n;
    const cctx = this.cells.getContext('2d') as CanvasRenderingContext2D;
    const image = cctx.createImageData(n, n);
    for (let i = 0; i < n * n; i++) probabilityColor(boundary.values[i] as number, image.data, i * 4);
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
    ctx.strokeStyle = '#ffffff';
    for (let i = 0; i < points.labels.length; i++) {
      const x = toPx(points.xy[2 * i] as number);
      const y = size - toPx(points.xy[2 * i + 1] as number);
      ctx.fillStyle = CLASS_COLORS[points.labels[i] as 0 | 1];
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }
}
