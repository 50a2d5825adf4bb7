import type { NetworkSnapshot, Topology } from '../shared/protocol.js';
import { CLASS_COLORS } from './colors.js';
import { edgeStyle, layoutNetwork } from './network-layout.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 360;
/** Positive weights blue, negative orange, as on the heat map. */
const POSITIVE = CLASS_COLORS[1];
const NEGATIVE = CLASS_COLORS[0];

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/**
 * The network as a graph: a circle per unit, a line per weight. A line's width and opacity show
 * the magnitude of that weight's gradient |∂L/∂w| (relative to the largest in the network), its
 * colour the sign of the weight; a unit's fill shows |∂L/∂b|, the gradient signal it passes back.
 * The elements are made once per network and only restyled afterwards.
 */
export class NetworkView {
  /** `edges[k][out * in + i]`: the line of layer k from input unit i to output unit `out`. */
  private edges: SVGLineElement[][] = [];
  /** `units[k][j]`: the circle of unit j of the column layer k feeds. */
  private units: SVGCircleElement[][] = [];
  private snapshot: NetworkSnapshot | undefined;
  private dirty = false;

  constructor(private readonly svg: SVGSVGElement) {
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  }

  reset(topology: Topology): void {
    this.svg.replaceChildren();
    this.snapshot = undefined;
    const sizes = topology.columns.map((c) => c.units);
    const layout = layoutNetwork(sizes, WIDTH, HEIGHT, 56, 34);
    const edgeGroup = el('g', { class: 'edges' });
    const unitGroup = el('g', { class: 'units' });
    const labelGroup = el('g', { class: 'captions' });
    this.svg.append(edgeGroup, unitGroup, labelGroup);
    this.edges = [];
    this.units = [];
    for (let k = 0; k + 1 < sizes.length; k++) {
      const from = layout.units[k] ?? [];
      const to = layout.units[k + 1] ?? [];
      const lines: SVGLineElement[] = [];
      for (const b of to) {
        for (const a of from) {
          const line = el('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: '#9aa5b1', 'stroke-width': 0.5, 'stroke-opacity': 0.3 });
          edgeGroup.append(line);
          lines.push(line);
        }
      }
      this.edges.push(lines);
    }
    layout.units.forEach((column, c) => {
      const circles = column.map((u) => {
        const circle = el('circle', { cx: u.x, cy: u.y, r: layout.radius, class: c === 0 ? 'unit input' : 'unit' });
        unitGroup.append(circle);
        return circle;
      });
      if (c > 0) this.units.push(circles);
      const caption = topology.columns[c];
      if (caption === undefined) return;
      const text = el('text', { x: layout.columnX[c] as number, y: 16, 'text-anchor': 'middle', class: 'caption' });
      text.textContent = `${caption.label} (${caption.units})`;
      labelGroup.append(text);
    });
    this.dirty = true;
  }

  update(snapshot: NetworkSnapshot): void {
    this.snapshot = snapshot;
    this.dirty = true;
  }

  render(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const s = this.snapshot;
    if (s === undefined) {
      for (const lines of this.edges) for (const l of lines) l.setAttribute('stroke', '#9aa5b1');
      for (const col of this.units) for (const c of col) c.style.fill = '';
      return;
    }
    let largest = 0;
    for (const g of s.weightGrads) for (const v of g) largest = Math.max(largest, v);
    this.edges.forEach((lines, k) => {
      const grads = s.weightGrads[k];
      const weights = s.weights[k];
      lines.forEach((line, e) => {
        const { width, opacity } = edgeStyle(grads?.[e] ?? 0, largest);
        line.setAttribute('stroke', (weights?.[e] ?? 0) >= 0 ? POSITIVE : NEGATIVE);
        line.setAttribute('stroke-width', width.toFixed(2));
        line.setAttribute('stroke-opacity', opacity.toFixed(2));
      });
    });
    let largestBias = 0;
    for (const g of s.biasGrads) for (const v of g) largestBias = Math.max(largestBias, v);
    this.units.forEach((circles, k) => {
      const grads = s.biasGrads[k];
      circles.forEach((circle, j) => {
        const t = largestBias > 0 ? Math.sqrt((grads?.[j] ?? 0) / largestBias) : 0;
        // From white to a deep violet as more gradient signal passes through the unit.
        circle.style.fill = `rgb(${Math.round(255 - 150 * t)}, ${Math.round(255 - 200 * t)}, ${Math.round(255 - 80 * t)})`;
      });
    });
  }
}
