import type { Boundary, NetworkSnapshot, Problem, Topology } from '../shared/protocol.js';
import { bmpDataUrl } from './bmp-data-url.js';
import { CLASS_COLORS, divergingColor, probabilityColor } from './colors.js';
import { alignGroups, captionLines, changeHidden, edgeStyle, layoutNetwork, signalStyle, type HiddenChange, type NetworkLayout } from './network-layout.js';

const SVG = 'http://www.w3.org/2000/svg';
/**
 * The drawing is laid out in the element's own pixels, so text keeps its size from a phone to a
 * wide screen; below this size it is laid out at this size and scaled down.
 */
const MIN_WIDTH = 320;
const MIN_HEIGHT = 200;
/** Room on the left of the squares for the features' names, and around the others. */
const LEFT = 28;
const MARGIN = 6;
const MAX_SIDE = 48;
/** Positive weights blue, negative orange, as on the heat maps. */
const POSITIVE = CLASS_COLORS[1];
const NEGATIVE = CLASS_COLORS[0];
/** Edges before the first gradients arrive. */
const IDLE = '#9aa5b1';
/** Pixels between the button groups above the drawing. */
const GROUP_GAP = 8;

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function html<K extends keyof HTMLElementTagNameMap>(name: K, className: string, text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(name);
  e.className = className;
  e.textContent = text;
  return e;
}

/** A unit as drawn: its map and the border over it. */
interface UnitView {
  readonly image: SVGImageElement;
  readonly frame: SVGRectElement;
  readonly side: number;
}

/** The largest |v| of `length` values from `offset`, NaN skipped. */
function largestMagnitude(values: Float32Array, offset: number, length: number): number {
  let m = 0;
  for (let i = offset; i < offset + length; i++) {
    const a = Math.abs(values[i] as number);
    if (a > m) m = a;
  }
  return m;
}

/**
 * The network as TensorFlow Playground draws it: each unit a small heat map of what it outputs
 * over the plane, a line per weight between them. An input unit shows its feature, a hidden unit
 * its activation (orange negative, grey 0, blue positive, scaled by the unit's own largest value),
 * the output the model's prediction. A line's width and opacity show the magnitude of that
 * weight's gradient |∂L/∂w| (relative to the largest in the network), its colour the sign of the
 * weight; a unit's border shows |∂L/∂b|, the gradient signal it passes back. Above the drawing,
 * buttons add and remove layers and units. The elements are made once per network (and again
 * when the element's size changes) and only restyled afterwards; the maps are repainted in
 * `render` when new ones arrived.
 */
export class NetworkView {
  private topology: Topology | undefined;
  private problem: Problem = 'classification';
  private layout: NetworkLayout | undefined;
  /** The viewBox's size: the element's, or the minimum. */
  private width = 640;
  private height = 360;
  private featureMaps: Float32Array = new Float32Array(0);
  private unitResolution = 0;
  /** `edges[k][out * in + i]`: the line of layer k from input unit i to output unit `out`. */
  private edges: SVGLineElement[][] = [];
  /** `units[c][u]`: unit u of column c (the output column has one). */
  private units: UnitView[][] = [];
  private snapshot: NetworkSnapshot | undefined;
  private boundary: Boundary | undefined;
  private inputsDirty = false;
  private mapsDirty = false;
  private edgesDirty = false;
  /** One RGBA buffer for every map painted, grown to the largest. */
  private pixels: Uint8ClampedArray = new Uint8ClampedArray(0);
  private readonly layerButtons: HTMLElement;
  /** One "− n +" group per hidden layer. */
  private groups: HTMLElement[] = [];
  /** The frame in which the drawing follows the element's size and the buttons their columns. */
  private fitting = 0;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly buttons: HTMLElement,
    private readonly onHidden: (hidden: number[]) => void,
  ) {
    svg.setAttribute('viewBox', `0 0 ${String(this.width)} ${String(this.height)}`);
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    buttons.classList.add('network-buttons');
    this.layerButtons = html('div', 'layer-buttons');
    buttons.replaceChildren(this.layerButtons);
    // Layout happens in a frame of its own: changing the drawing inside the observer's callback
    // could resize what it observes within the same frame.
    const observer = new ResizeObserver(() => this.fitSoon());
    observer.observe(svg);
    observer.observe(buttons);
  }

  reset(topology: Topology, featureMaps: Float32Array, unitResolution: number, problem: Problem): void {
    this.topology = topology;
    this.featureMaps = featureMaps;
    this.unitResolution = unitResolution;
    this.problem = problem;
    this.snapshot = undefined;
    this.boundary = undefined;
    // The buttons first: the drawing gets the height their row leaves, measured next.
    this.buildButtons();
    this.measure();
    this.build(topology);
  }

  update(snapshot: NetworkSnapshot): void {
    this.snapshot = snapshot;
    this.edgesDirty = true;
  }

  updateMaps(boundary: Boundary): void {
    this.boundary = boundary;
    this.mapsDirty = true;
  }

  render(): void {
    if (this.inputsDirty) {
      this.inputsDirty = false;
      this.paintInputs();
    }
    if (this.mapsDirty) {
      this.mapsDirty = false;
      this.paintMaps();
    }
    if (this.edgesDirty) {
      this.edgesDirty = false;
      this.paintGradients();
    }
  }

  /** Takes the element's size for the viewBox; true when it changed. */
  private measure(): boolean {
    const r = this.svg.getBoundingClientRect();
    // A hidden element has no size: keep the last one.
    if (r.width <= 0 || r.height <= 0) return false;
    const width = Math.max(MIN_WIDTH, Math.round(r.width));
    const height = Math.max(MIN_HEIGHT, Math.round(r.height));
    if (width === this.width && height === this.height) return false;
    this.width = width;
    this.height = height;
    return true;
  }

  /** Makes the drawing's elements for the network at the current size, to be painted by `render`. */
  private build(topology: Topology): void {
    const { width, height } = this;
    this.svg.setAttribute('viewBox', `0 0 ${String(width)} ${String(height)}`);
    const columns = topology.columns;
    const last = columns.length - 1;
    const slot = (width - LEFT - MARGIN) / Math.max(1, columns.length);
    const captionSize = Math.min(12, Math.max(9, slot / 6));
    const top = 4 + captionSize * 2.3 + 8;
    // The output is drawn as one unit whatever its width: its map is the model's prediction.
    const drawn = columns.map((c, i) => (i === last ? 1 : c.units));
    const layout = layoutNetwork(drawn, { left: LEFT, top, width: width - LEFT - MARGIN, height: height - top - MARGIN }, MAX_SIDE);
    this.layout = layout;

    const edgeGroup = el('g', { class: 'edges' });
    const unitGroup = el('g', { class: 'units' });
    const textGroup = el('g', { class: 'captions' });
    this.svg.replaceChildren(edgeGroup, unitGroup, textGroup);

    this.edges = [];
    for (let c = 1; c <= last; c++) {
      const from = layout.units[c - 1] ?? [];
      const to = layout.units[c] ?? [];
      const fromSide = layout.side[c - 1] as number;
      const toSide = layout.side[c] as number;
      const outputs = columns[c]?.units ?? 0;
      const lines: SVGLineElement[] = [];
      for (let out = 0; out < outputs; out++) {
        const target = to[c === last ? 0 : out] as { x: number; y: number };
        // The output's logits meet it at points spread down its left side, one per logit.
        const y2 = c === last ? target.y - toSide / 2 + (toSide * (out + 1)) / (outputs + 1) : target.y;
        for (const source of from) {
          const line = el('line', { x1: source.x + fromSide / 2, y1: source.y, x2: target.x - toSide / 2, y2, stroke: IDLE, 'stroke-width': 0.5, 'stroke-opacity': 0.3 });
          edgeGroup.append(line);
          lines.push(line);
        }
      }
      this.edges.push(lines);
    }

    this.units = layout.units.map((column, c) => {
      const side = layout.side[c] as number;
      const info = columns[c];
      return column.map((p, u) => {
        const box = { x: p.x - side / 2, y: p.y - side / 2, width: side, height: side };
        const image = el('image', { ...box, preserveAspectRatio: 'none', class: 'unit-map', 'data-testid': 'unit', 'data-column': c, 'data-unit': u });
        const title = el('title', {});
        const name = c === 0 ? (info?.unitLabels[u] ?? `input ${u + 1}`) : c === last ? 'output' : `${info?.label ?? ''}: unit ${u + 1}`;
        title.textContent = name;
        image.append(title);
        const frame = el('rect', { ...box, class: c === 0 ? 'unit-frame input' : 'unit-frame', fill: 'none' });
        unitGroup.append(image, frame);
        if (c === 0) {
          const label = el('text', { x: p.x - side / 2 - 4, y: p.y, 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'unit-label' });
          label.style.fontSize = `${Math.min(11, Math.max(7, side * 0.8)).toFixed(1)}px`;
          label.textContent = info?.unitLabels[u] ?? '';
          textGroup.append(label);
        }
        return { image, frame, side };
      });
    });

    columns.forEach((column, c) => {
      const x = layout.columnX[c] as number;
      const text = el('text', { x, y: (4 + captionSize).toFixed(1), 'text-anchor': 'middle', class: 'column-caption' });
      text.style.fontSize = `${captionSize.toFixed(1)}px`;
      captionLines(column.label, column.units, captionSize, layout.slot - 4).forEach((line, i) => {
        const span = el('tspan', { x, dy: i === 0 ? 0 : (captionSize * 1.15).toFixed(1) });
        span.textContent = line;
        text.append(span);
      });
      textGroup.append(text);
    });

    // Everything is new: paint what is known into it.
    this.inputsDirty = true;
    this.mapsDirty = this.boundary !== undefined;
    this.edgesDirty = true;
  }

  /** The hidden layers' sizes of the network drawn. */
  private hidden(): number[] {
    return (this.topology?.columns ?? []).slice(1, -1).map((c) => c.units);
  }

  private paintInputs(): void {
    const n = this.unitResolution;
    const cells = n * n;
    (this.units[0] ?? []).forEach((unit, u) => {
      const offset = u * cells;
      if (cells === 0 || offset + cells > this.featureMaps.length) return;
      const scale = largestMagnitude(this.featureMaps, offset, cells);
      this.paint(unit, n, (px) => {
        for (let i = 0; i < cells; i++) divergingColor(this.featureMaps[offset + i] as number, scale, px, i * 4);
      });
    });
  }

  private paintMaps(): void {
    const b = this.boundary;
    if (b === undefined) return;
    const last = this.units.length - 1;
    const n = b.unitResolution;
    const cells = n * n;
    for (let c = 1; c < last; c++) {
      const maps = b.units[c - 1];
      if (maps === undefined || cells === 0) continue;
      (this.units[c] ?? []).forEach((unit, u) => {
        const offset = u * cells;
        if (offset + cells > maps.length) return;
        const scale = largestMagnitude(maps, offset, cells);
        this.paint(unit, n, (px) => {
          for (let i = 0; i < cells; i++) divergingColor(maps[offset + i] as number, scale, px, i * 4);
        });
      });
    }
    const output = this.units[last]?.[0];
    const r = b.resolution;
    if (output === undefined || r === 0 || b.values.length < r * r) return;
    const classification = this.problem === 'classification';
    this.paint(output, r, (px) => {
      for (let i = 0; i < r * r; i++) {
        const v = b.values[i] as number;
        if (classification) probabilityColor(v, px, i * 4);
        else divergingColor(v, 1, px, i * 4);
      }
    });
  }

  /** Fills the shared buffer with an `n × n` map through `fill` and shows it on the unit. */
  private paint(unit: UnitView, n: number, fill: (px: Uint8ClampedArray) => void): void {
    const length = n * n * 4;
    if (this.pixels.length < length) this.pixels = new Uint8ClampedArray(length);
    const px = this.pixels.subarray(0, length);
    fill(px);
    unit.image.setAttribute('href', bmpDataUrl(px, n, n));
  }

  private paintGradients(): void {
    const s = this.snapshot;
    let largest = 0;
    for (const g of s?.weightGrads ?? []) for (const v of g) if (v > largest) largest = v;
    this.edges.forEach((lines, k) => {
      const grads = s?.weightGrads[k];
      const weights = s?.weights[k];
      lines.forEach((line, e) => {
        const w = weights?.[e];
        const { width, opacity } = s === undefined ? { width: 0.5, opacity: 0.3 } : edgeStyle(grads?.[e] ?? 0, largest);
        line.setAttribute('stroke', w === undefined ? IDLE : w >= 0 ? POSITIVE : NEGATIVE);
        line.setAttribute('stroke-width', width.toFixed(2));
        line.setAttribute('stroke-opacity', opacity.toFixed(2));
      });
    });
    let largestBias = 0;
    for (const g of s?.biasGrads ?? []) for (const v of g) if (v > largestBias) largestBias = v;
    const last = this.units.length - 1;
    this.units.forEach((column, c) => {
      const grads = c > 0 ? s?.biasGrads[c - 1] : undefined;
      column.forEach((unit, u) => {
        // The output unit stands for all the logits: it shows the largest signal among them.
        const magnitude = grads === undefined ? 0 : c === last ? largestMagnitude(grads, 0, grads.length) : (grads[u] ?? 0);
        const { width, color } = signalStyle(magnitude, largestBias, unit.side);
        unit.frame.setAttribute('stroke', color);
        unit.frame.setAttribute('stroke-width', width.toFixed(2));
      });
    });
  }

  private buildButtons(): void {
    const hidden = this.hidden();
    const button = (text: string, testId: string, label: string, change: HiddenChange): HTMLButtonElement => {
      const b = html('button', 'net-button', text);
      b.type = 'button';
      b.dataset.testid = testId;
      b.title = label;
      b.setAttribute('aria-label', label);
      const next = changeHidden(hidden, change);
      if (next === undefined) b.disabled = true;
      else b.addEventListener('click', () => this.onHidden(next));
      return b;
    };
    this.layerButtons.replaceChildren(
      button('+ layer', 'add-layer', 'Add a hidden layer', { kind: 'addLayer' }),
      button('− layer', 'remove-layer', 'Remove the last hidden layer', { kind: 'removeLayer' }),
    );
    this.groups = hidden.map((n, k) => {
      const group = html('div', 'unit-group');
      const count = html('span', 'unit-count', String(n));
      count.title = `${String(n)} units in hidden layer ${String(k + 1)}`;
      group.append(
        button('−', `remove-unit-${String(k)}`, `Remove a unit from hidden layer ${String(k + 1)}`, { kind: 'removeUnit', layer: k }),
        count,
        button('+', `add-unit-${String(k)}`, `Add a unit to hidden layer ${String(k + 1)}`, { kind: 'addUnit', layer: k }),
      );
      return group;
    });
    this.buttons.classList.remove('aligned');
    this.buttons.replaceChildren(this.layerButtons, ...this.groups);
    this.fitSoon();
  }

  /**
   * In the next frame, lays the drawing out again if the element's size changed (and paints it,
   * as the page may not be drawing frames while training is paused), then lines the unit buttons
   * up over their columns.
   */
  private fitSoon(): void {
    if (this.fitting !== 0) return;
    this.fitting = requestAnimationFrame(() => {
      this.fitting = 0;
      if (this.measure() && this.topology !== undefined) {
        this.build(this.topology);
        this.render();
      }
      this.placeGroups();
    });
  }

  /**
   * Puts each layer's "− n +" over its column when they all fit in one row beside the layer
   * buttons; otherwise they wrap after the layer buttons in the order of the layers.
   */
  private placeGroups(): void {
    const layout = this.layout;
    const svg = this.svg.getBoundingClientRect();
    const row = this.buttons.getBoundingClientRect();
    const scale = Math.min(svg.width / this.width, svg.height / this.height);
    let lefts: number[] | undefined;
    if (layout !== undefined && scale > 0 && this.groups.length > 0) {
      // The drawing is centred in the element when its shape differs from the viewBox's.
      const x0 = svg.left + (svg.width - this.width * scale) / 2 - row.left;
      const centres = this.groups.map((_, k) => x0 + (layout.columnX[k + 1] ?? 0) * scale);
      const start = this.layerButtons.getBoundingClientRect().right - row.left + GROUP_GAP;
      lefts = alignGroups(
        centres,
        this.groups.map((g) => g.offsetWidth),
        this.buttons.clientWidth,
        start,
        GROUP_GAP,
      );
    }
    this.buttons.classList.toggle('aligned', lefts !== undefined);
    this.groups.forEach((g, k) => {
      g.style.left = lefts === undefined ? '' : `${(lefts[k] ?? 0).toFixed(1)}px`;
    });
  }
}
