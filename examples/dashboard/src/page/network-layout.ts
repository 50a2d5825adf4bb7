/** A point in SVG user units. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** The region the units' squares are drawn in, in SVG user units. */
export interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Where each unit of the drawn network sits, in SVG user units. */
export interface NetworkLayout {
  /** `units[c][u]`: centre of unit u of column c. */
  readonly units: readonly (readonly Point[])[];
  /** Side of the squares of each column. */
  readonly side: readonly number[];
  /** Centre x of each column, for its caption. */
  readonly columnX: readonly number[];
  /** Width of the slot each column is centred in. */
  readonly slot: number;
}

/**
 * Places the columns of a network drawn as squares, one column per layer. The box is cut into
 * equal slots, one per column, and each column stands at the middle of its slot, so the page can
 * line things up with a column from its share of the width alone. Each column's units are centred
 * vertically, `gap` times the side apart; the side is as large as `maxSide` allows, shrinking so
 * the column fits the box's height and takes at most half its slot, which leaves room for the
 * edges between columns. A column of many units thus gets small squares while the few inputs and
 * the output stay large enough to read.
 */
export function layoutNetwork(sizes: readonly number[], box: Box, maxSide = 48, gap = 0.25): NetworkLayout {
  const slot = box.width / Math.max(1, sizes.length);
  const middle = box.top + box.height / 2;
  const columnX = sizes.map((_, c) => box.left + (c + 0.5) * slot);
  const side = sizes.map((n) => {
    const units = Math.max(1, n);
    return Math.min(maxSide, slot / 2, box.height / (units + (units - 1) * gap));
  });
  const units = sizes.map((n, c) => {
    const pitch = (side[c] as number) * (1 + gap);
    return Array.from({ length: n }, (_, u) => ({ x: columnX[c] as number, y: middle + (u - (n - 1) / 2) * pitch }));
  });
  return { units, side, columnX, slot };
}

/**
 * The lines of a column's caption, e.g. `linear_1 → tanh (8)`: on one line when it fits in
 * `room` at `fontSize` (reckoning 0.56 em a character), else broken after the arrow, else only
 * the part after the arrow over the count; the last when nothing fits.
 */
export function captionLines(label: string, units: number, fontSize: number, room: number): string[] {
  const count = `(${String(units)})`;
  const arrow = label.indexOf(' → ');
  const after = arrow >= 0 ? label.slice(arrow + 3) : label;
  const candidates = [[`${label} ${count}`], ...(arrow >= 0 ? [[`${label.slice(0, arrow)} →`, `${after} ${count}`]] : []), [after, count]];
  const fits = (lines: string[]): boolean => lines.every((l) => [...l].length * 0.56 * fontSize <= room);
  return candidates.find(fits) ?? (candidates[candidates.length - 1] as string[]);
}

/**
 * Stroke width and opacity of an edge from the magnitude of its weight's gradient, relative to
 * the largest in the network: a hairline for none, 6 units for the largest.
 */
export function edgeStyle(magnitude: number, largest: number): { readonly width: number; readonly opacity: number } {
  const t = largest > 0 && Number.isFinite(magnitude) ? Math.min(1, Math.abs(magnitude) / largest) : 0;
  // The square root lets small gradients still show next to a dominant one.
  const s = Math.sqrt(t);
  return { width: 0.5 + 5.5 * s, opacity: 0.15 + 0.85 * s };
}

/** A unit's border when no gradient signal passes through it, and when the most does. */
const QUIET = [154, 165, 177] as const;
const BUSY = [106, 61, 154] as const;

/**
 * A unit's border from the gradient signal |∂L/∂b| that passes back through it, relative to the
 * largest in the network: a thin grey line for none, a violet one 3 units wide for the largest
 * (never more than a quarter of the square's side, so a small square's map stays visible).
 */
export function signalStyle(magnitude: number, largest: number, side: number): { readonly width: number; readonly color: string } {
  const t = largest > 0 && Number.isFinite(magnitude) ? Math.min(1, Math.abs(magnitude) / largest) : 0;
  const s = Math.sqrt(t);
  const mix = (k: 0 | 1 | 2): number => Math.round(QUIET[k] + (BUSY[k] - QUIET[k]) * s);
  return { width: Math.min(0.75 + 2.25 * s, side / 4), color: `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})` };
}

/**
 * Left edges for button groups of the given widths, each centred over its column (`centres`, in
 * the same pixels) and moved inside `[start, width]` when it would stick out; undefined when they
 * do not fit side by side with `gap` between them, and the groups should rather wrap.
 */
export function alignGroups(centres: readonly number[], widths: readonly number[], width: number, start = 0, gap = 4): number[] | undefined {
  const lefts: number[] = [];
  let free = start;
  for (const [i, c] of centres.entries()) {
    const w = widths[i] ?? 0;
    const left = Math.max(start, Math.min(width - w, c - w / 2));
    if (left < free || left + w > width) return undefined;
    lefts.push(left);
    free = left + w + gap;
  }
  return lefts;
}

/** How many hidden layers the buttons allow, and how many units in each. */
export const HIDDEN_LIMITS = { layers: 6, units: 64 } as const;

/** A click on one of the network's +/− buttons. */
export type HiddenChange =
  | { readonly kind: 'addLayer' }
  | { readonly kind: 'removeLayer' }
  | { readonly kind: 'addUnit'; readonly layer: number }
  | { readonly kind: 'removeUnit'; readonly layer: number };

/**
 * The hidden layers' sizes after a change: a new layer copies the last one's size (4 when there
 * is none), removing a layer drops the last one. Undefined when the change would leave
 * 0–{@link HIDDEN_LIMITS}.layers layers of 1–{@link HIDDEN_LIMITS}.units units, or names a layer
 * that does not exist: its button is disabled.
 */
export function changeHidden(hidden: readonly number[], change: HiddenChange): number[] | undefined {
  const { layers, units } = HIDDEN_LIMITS;
  switch (change.kind) {
    case 'addLayer':
      return hidden.length < layers ? [...hidden, Math.min(units, Math.max(1, hidden[hidden.length - 1] ?? 4))] : undefined;
    case 'removeLayer':
      return hidden.length > 0 ? hidden.slice(0, -1) : undefined;
    case 'addUnit':
    case 'removeUnit': {
      const n = hidden[change.layer];
      if (n === undefined) return undefined;
      const next = change.kind === 'addUnit' ? n + 1 : n - 1;
      if (next < 1 || next > units) return undefined;
      return hidden.map((m, k) => (k === change.layer ? next : m));
    }
  }
}
