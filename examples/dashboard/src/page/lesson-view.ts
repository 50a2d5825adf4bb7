import type { LessonFrame, LessonPhase } from '../shared/lesson-frame.js';
import { lessonLabels, wrapLines, type LessonLabelKey, type LessonLabels } from './lesson-labels.js';

const SVG = 'http://www.w3.org/2000/svg';
/** User units: narrow enough that 12.5-unit text is still about 9.5 px on a 360 px wide screen. */
const WIDTH = 480;
const HEIGHT = 500;
const LINE = 15;

/** The chain x → z₁ → a₁ → ŷ → L, left to right: centre of each node box. */
const NODE_X = [48, 144, 240, 336, 432] as const;
const NODE_Y = 226;
const NODE_W = 68;
const NODE_H = 48;
const EDGE_MID = [96, 192, 288, 384] as const;
/** Wrapped texts: characters per line (about 6.6 units each at their size). */
const EXPLAIN_CHARS = 64;
const NOTE_CHARS = 68;

/** A piece of a line of text: fixed words, or a label (with fixed words around it, shown with it). */
type Part = string | { readonly key: LessonLabelKey; readonly prefix?: string; readonly suffix?: string; readonly cls?: string };

/** One line of text. It is shown when its `gate` label is (or, without a gate, any label in it). */
interface Line {
  readonly x: number;
  readonly y: number;
  readonly cls: string;
  readonly parts: readonly Part[];
  readonly gate?: LessonLabelKey;
  readonly anchor?: 'start' | 'middle';
  /** The parameter card it is written on (the card grows with its shown lines). */
  readonly card?: Card['key'];
}

/** A parameter's card: where it sits and the node or edge it acts on. */
interface Card {
  readonly key: 'w1' | 'b1' | 'w2' | 'b2';
  readonly name: string;
  /** What ∂L/∂param is the product of. */
  readonly how: string;
  readonly left: number;
  readonly top: number;
  readonly width: number;
  /** x of the leader line, and where it ends (the edge's middle or the node's top). */
  readonly leaderX: number;
  readonly leaderTo: number;
}

/** A card's height for the lines it shows; it has room for four. */
const cardHeight = (lineCount: number): number => lineCount * LINE + 8;
const CARDS: readonly Card[] = [
  { key: 'w1', name: 'w₁', how: '= ∂L/∂z₁ · x', left: 8, top: 34, width: 180, leaderX: EDGE_MID[0], leaderTo: NODE_Y - 4 },
  { key: 'w2', name: 'w₂', how: '= ∂L/∂ŷ · a₁', left: 200, top: 34, width: 180, leaderX: EDGE_MID[2], leaderTo: NODE_Y - 4 },
  { key: 'b1', name: 'b₁', how: '= ∂L/∂z₁ · 1', left: 106, top: 108, width: 150, leaderX: NODE_X[1], leaderTo: NODE_Y - NODE_H / 2 },
  { key: 'b2', name: 'b₂', how: '= ∂L/∂ŷ · 1', left: 298, top: 108, width: 150, leaderX: NODE_X[3], leaderTo: NODE_Y - NODE_H / 2 },
];

const NODES: readonly { readonly name: string; readonly key: LessonLabelKey; readonly formula: string }[] = [
  { name: 'x', key: 'x', formula: 'input' },
  { name: 'z₁', key: 'z1', formula: 'z₁ = w₁·x + b₁' },
  { name: 'a₁', key: 'a1', formula: 'a₁ = σ(z₁)' },
  { name: 'ŷ', key: 'yhat', formula: 'ŷ = w₂·a₁ + b₂' },
  { name: 'L', key: 'loss', formula: 'L = ½(ŷ − y)²' },
];

/** Rows under the chain: each node's formula, then (backward) its local derivatives and the signal on each edge. */
const FORMULA_Y = NODE_Y + NODE_H / 2 + 20;
const LOCAL_Y = FORMULA_Y + 22;
const SIGNAL_Y = LOCAL_Y + 2 * LINE + 8;
const EXPLAIN_Y = SIGNAL_Y + 3 * LINE + 12;

function lines(): Line[] {
  const out: Line[] = [{ x: 12, y: 22, cls: 'lesson-caption', parts: [{ key: 'phase' }], anchor: 'start' }];
  for (const c of CARDS) {
    const x = c.left + c.width / 2;
    const y = c.top + LINE + 1;
    const card = c.key;
    out.push(
      { x, y, card, cls: 'lesson-param', parts: [`${c.name} = `, { key: `${c.key}-before`, suffix: ' → ', cls: 'lesson-before' }, { key: c.key, cls: 'lesson-value' }] },
      { x, y: y + LINE, card, cls: 'lesson-grad', parts: [{ key: `d${c.key}`, prefix: `∂L/∂${c.name} = ` }] },
      { x, y: y + 2 * LINE, card, cls: 'lesson-how', gate: `d${c.key}`, parts: [c.how] },
      { x, y: y + 3 * LINE, card, cls: 'lesson-update', parts: [{ key: `${c.key}-step`, prefix: `−α·∂L/∂${c.name} = ` }] },
    );
  }
  out.push({ x: NODE_X[4], y: NODE_Y - NODE_H / 2 - 10, cls: 'lesson-target', parts: [{ key: 'y', prefix: 'y = ' }] });
  NODES.forEach((n, i) => {
    const x = NODE_X[i] as number;
    out.push(
      { x, y: NODE_Y - 4, cls: 'lesson-name', parts: [n.name] },
      { x, y: NODE_Y + 15, cls: 'lesson-value', parts: [{ key: n.key }] },
      { x, y: FORMULA_Y, cls: 'lesson-formula', gate: n.key, parts: [n.formula] },
    );
  });
  // What each node multiplies the signal by (backward).
  const local = (i: number, first: Part, second: Part, gate: LessonLabelKey): Line[] => [
    { x: NODE_X[i] as number, y: LOCAL_Y, cls: 'lesson-how', gate, parts: [first] },
    { x: NODE_X[i] as number, y: LOCAL_Y + LINE, cls: 'lesson-how', gate, parts: [second] },
  ];
  out.push(
    ...local(1, '∂z₁/∂w₁ = x', '∂z₁/∂b₁ = 1', 'dz1'),
    ...local(2, 'σ′(z₁) = a₁(1−a₁)', { key: 'sigma', prefix: '= ', cls: 'lesson-grad' }, 'sigma'),
    ...local(3, '∂ŷ/∂a₁ = w₂', '∂ŷ/∂w₂ = a₁', 'dyhat'),
  );
  // The gradient signal flowing back along each edge (backward).
  const signal = (edge: number, name: string, how: string, key: LessonLabelKey): Line[] => {
    const x = EDGE_MID[edge] as number;
    return [
      { x, y: SIGNAL_Y, cls: 'lesson-grad', gate: key, parts: [name] },
      { x, y: SIGNAL_Y + LINE, cls: 'lesson-how', gate: key, parts: [how] },
      { x, y: SIGNAL_Y + 2 * LINE, cls: 'lesson-grad', parts: [{ key, prefix: '= ' }] },
    ];
  };
  out.push(
    ...signal(1, '∂L/∂z₁', '= ∂L/∂a₁ · σ′', 'dz1'),
    ...signal(2, '∂L/∂a₁', '= ∂L/∂ŷ · w₂', 'da1'),
    ...signal(3, '∂L/∂ŷ', '= ŷ − y', 'dyhat'),
  );
  return out.map((l) => ({ anchor: 'middle', ...l }));
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function setShown(e: Element, shown: boolean): void {
  if (shown) e.removeAttribute('display');
  else e.setAttribute('display', 'none');
}

interface DrawnLine {
  readonly text: SVGTextElement;
  readonly gate: LessonLabelKey | undefined;
  readonly card: Card['key'] | undefined;
  /** The tspans of its labels, with the fixed words that go with each. */
  readonly labels: readonly { readonly key: LessonLabelKey; readonly value: SVGTSpanElement; readonly group: readonly SVGTSpanElement[] }[];
}

/**
 * The lesson's network drawn as a chain, x → z₁ → a₁ → ŷ → L, with the parameters w₁, b₁, w₂, b₂
 * on cards pointing at the edge or node they act on and the target y beside L; it shows one
 * training step phase by phase (forward values and formulas; the gradient signal on each edge,
 * each node's local derivative and each parameter's gradient; each parameter's update). The texts
 * come from {@link lessonLabels}; each is a `data-testid="lesson-<name>"` element, and the ones of
 * phases not reached yet are not rendered. The drawing is made once and only its texts change.
 */
export class LessonView {
  private readonly drawn: DrawnLine[] = [];
  /** Shapes shown with a label: the backward arrows under the edges. */
  private readonly gated: { readonly shape: SVGElement; readonly gate: LessonLabelKey }[] = [];
  /** Each parameter card's box and the leader line from its bottom edge. */
  private readonly cards = new Map<Card['key'], { readonly card: Card; readonly box: SVGRectElement; readonly leader: SVGLineElement }>();
  private readonly explain: SVGTextElement;
  private readonly note: SVGTextElement;
  /** What is shown, so that showing it again (every repaint) changes nothing. */
  private shown: { readonly frame: LessonFrame; readonly phase: LessonPhase } | undefined;

  constructor(private readonly svg: SVGSVGElement) {
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    svg.classList.add('lesson-drawing');
    svg.replaceChildren(this.defs(), this.shapes());
    const texts = el('g', {});
    for (const line of lines()) texts.append(this.line(line));
    this.explain = el('text', { x: 12, y: EXPLAIN_Y, class: 'lesson-explain', 'data-testid': 'lesson-explain' });
    this.note = el('text', { x: 12, y: EXPLAIN_Y, class: 'lesson-note', 'data-testid': 'lesson-note' });
    texts.append(this.explain, this.note);
    svg.append(texts);
    this.clear();
  }

  /** Shows `frame` up to `phase`: the forward values, then the backward pass, then the update. */
  show(frame: LessonFrame, phase: LessonPhase): void {
    if (this.shown?.frame === frame && this.shown.phase === phase) return;
    this.shown = { frame, phase };
    this.svg.dataset['phase'] = phase;
    this.render(lessonLabels(frame, phase));
  }

  /** Leaves the network without figures. */
  clear(): void {
    this.shown = undefined;
    delete this.svg.dataset['phase'];
    this.render({});
  }

  private render(labels: LessonLabels): void {
    const cardLines = new Map<Card['key'], number>();
    for (const line of this.drawn) {
      let any = false;
      for (const { key, value, group } of line.labels) {
        const text = labels[key];
        if (text !== undefined) value.textContent = text;
        for (const t of group) setShown(t, text !== undefined);
        any ||= text !== undefined;
      }
      const shown = line.gate === undefined ? any || line.labels.length === 0 : labels[line.gate] !== undefined;
      setShown(line.text, shown);
      if (shown && line.card !== undefined) cardLines.set(line.card, (cardLines.get(line.card) ?? 0) + 1);
    }
    // Lines are revealed top down, so a card only needs to reach its last shown line.
    for (const [key, { card, box, leader }] of this.cards) {
      const height = cardHeight(Math.max(1, cardLines.get(key) ?? 0));
      box.setAttribute('height', String(height));
      leader.setAttribute('y1', String(card.top + height));
    }
    for (const { shape, gate } of this.gated) setShown(shape, labels[gate] !== undefined);
    const explained = this.wrapped(this.explain, labels.explain, EXPLAIN_CHARS, EXPLAIN_Y);
    this.wrapped(this.note, labels.note, NOTE_CHARS, EXPLAIN_Y + explained * LINE + 10);
  }

  /** Writes `text` in lines of at most `chars` characters from `y` down; returns how many lines. */
  private wrapped(e: SVGTextElement, text: string | undefined, chars: number, y: number): number {
    if (text === undefined) {
      e.replaceChildren();
      setShown(e, false);
      return 0;
    }
    const rows = wrapLines(text, chars);
    e.setAttribute('y', String(y));
    e.replaceChildren(...rows.map((row, i) => Object.assign(el('tspan', { x: 12, dy: i === 0 ? 0 : '1.2em' }), { textContent: row })));
    setShown(e, true);
    return rows.length;
  }

  private line(line: Line): SVGTextElement {
    const text = el('text', { x: line.x, y: line.y, class: line.cls, 'text-anchor': line.anchor ?? 'middle' });
    const labels: DrawnLine['labels'][number][] = [];
    for (const part of line.parts) {
      if (typeof part === 'string') {
        text.append(Object.assign(el('tspan', {}), { textContent: part }));
        continue;
      }
      const group: SVGTSpanElement[] = [];
      const words = (s: string): void => {
        const t = Object.assign(el('tspan', {}), { textContent: s });
        group.push(t);
        text.append(t);
      };
      if (part.prefix !== undefined) words(part.prefix);
      const value = el('tspan', { 'data-testid': `lesson-${part.key}`, ...(part.cls === undefined ? {} : { class: part.cls }) });
      group.push(value);
      text.append(value);
      if (part.suffix !== undefined) words(part.suffix);
      labels.push({ key: part.key, value, group });
    }
    this.drawn.push({ text, gate: line.gate, card: line.card, labels });
    return text;
  }

  private defs(): SVGDefsElement {
    const defs = el('defs', {});
    for (const [id, cls] of [
      ['lesson-arrow', 'lesson-arrowhead'],
      ['lesson-arrow-back', 'lesson-arrowhead lesson-arrowhead-back'],
    ] as const) {
      const marker = el('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
      marker.append(el('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: cls }));
      defs.append(marker);
    }
    return defs;
  }

  /** Edges, leader lines, cards and node boxes: drawn once, never changed. */
  private shapes(): SVGGElement {
    const g = el('g', {});
    EDGE_MID.forEach((_, i) => {
      const from = (NODE_X[i] as number) + NODE_W / 2;
      const to = (NODE_X[i + 1] as number) - NODE_W / 2;
      g.append(el('line', { x1: from, y1: NODE_Y, x2: to, y2: NODE_Y, class: 'lesson-edge', 'marker-end': 'url(#lesson-arrow)' }));
      // The gradient signal flows back along every edge but the first (x takes no gradient).
      const gate = (['', 'dz1', 'da1', 'dyhat'] as const)[i];
      if (gate === undefined || gate === '') return;
      const back = el('line', { x1: to - 2, y1: NODE_Y + 12, x2: from + 2, y2: NODE_Y + 12, class: 'lesson-back', 'marker-end': 'url(#lesson-arrow-back)' });
      this.gated.push({ shape: back, gate });
      g.append(back);
    });
    for (const c of CARDS) {
      const leader = el('line', { x1: c.leaderX, y1: c.top + cardHeight(4), x2: c.leaderX, y2: c.leaderTo, class: 'lesson-leader', 'marker-end': 'url(#lesson-arrow)' });
      const box = el('rect', { x: c.left, y: c.top, width: c.width, height: cardHeight(4), rx: 6, class: 'lesson-card' });
      this.cards.set(c.key, { card: c, box, leader });
      g.append(leader, box);
    }
    NODE_X.forEach((x, i) => {
      g.append(el('rect', { x: x - NODE_W / 2, y: NODE_Y - NODE_H / 2, width: NODE_W, height: NODE_H, rx: 10, class: i === 0 ? 'lesson-node lesson-input' : 'lesson-node' }));
    });
    return g;
  }
}
