import { describe, expect, it } from 'vitest';
import { bmpDataUrl } from '../src/page/bmp-data-url.js';
import { DIVERGING_NEGATIVE, DIVERGING_POSITIVE, HEAT_BLUE, HEAT_GREY, HEAT_ORANGE, divergingColor, probabilityColor } from '../src/page/colors.js';
import { logTick } from '../src/page/log-tick.js';
import { alignGroups, captionLines, changeHidden, edgeStyle, layoutNetwork, signalStyle } from '../src/page/network-layout.js';

const color = (p: number): number[] => {
  const out = new Uint8ClampedArray(4);
  probabilityColor(p, out, 0);
  return Array.from(out);
};

describe('probabilityColor', () => {
  it('runs from pale orange through grey to pale blue', () => {
    expect(color(0)).toEqual([...HEAT_ORANGE, 255]);
    expect(color(0.5)).toEqual([...HEAT_GREY, 255]);
    expect(color(1)).toEqual([...HEAT_BLUE, 255]);
    // A quarter is halfway from orange (250, 200, 145) to grey (232, 234, 235).
    expect(color(0.25)).toEqual([241, 217, 190, 255]);
  });

  it('clamps and treats a missing value as undecided', () => {
    expect(color(2)).toEqual(color(1));
    expect(color(-1)).toEqual(color(0));
    expect(color(Number.NaN)).toEqual(color(0.5));
  });

  it('writes at the offset it is given', () => {
    const out = new Uint8ClampedArray(8);
    probabilityColor(1, out, 4);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, ...HEAT_BLUE, 255]);
  });
});

describe('logTick', () => {
  it('labels powers of ten, plainly near 1', () => {
    expect([1, 10, 1000, 0.1, 0.01, 0.001].map(logTick)).toEqual(['1', '10', '1000', '0.1', '0.01', '0.001']);
    expect([1e-4, 1e-6, 1e4].map(logTick)).toEqual(['1e-4', '1e-6', '1e4']);
  });

  it('leaves the ticks between them blank', () => {
    expect([0.2, 3, 0.00005, 0, null].map(logTick)).toEqual([null, null, null, null, null]);
  });
});

describe('layoutNetwork', () => {
  it('centres each column in its slot and sizes its squares to fit its units', () => {
    // Slots of 300 / 3 = 100. Column 1 fits 4 squares and 3 gaps of ¼ side in 171: 171 / 4.75 = 36.
    // Columns 0 and 2 would fit larger ones but stop at the 48 asked for (below half a slot, 50).
    const l = layoutNetwork([2, 4, 1], { left: 0, top: 20, width: 300, height: 171 }, 48, 0.25);
    expect(l.slot).toBe(100);
    expect(l.columnX).toEqual([50, 150, 250]);
    expect(l.side).toEqual([48, 36, 48]);
    // Middle at 20 + 171 / 2 = 105.5; column 1 steps 36 · 1.25 = 45, column 0 48 · 1.25 = 60.
    expect(l.units[1]?.map((u) => u.y)).toEqual([38, 83, 128, 173]);
    expect(l.units[0]?.map((u) => u.y)).toEqual([75.5, 135.5]);
    expect(l.units[2]).toEqual([{ x: 250, y: 105.5 }]);
    // The tall column fills the box exactly: 38 − 18 is its top, 173 + 18 its bottom.
    expect((l.units[1]?.[0]?.y ?? 0) - 18).toBe(20);
    expect((l.units[1]?.[3]?.y ?? 0) + 18).toBe(191);
  });

  it('shrinks squares to half a slot when there are many columns', () => {
    // 8 slots of 320 / 8 = 40 from x = 10: squares of 20, columns at 10 + 20, …, 10 + 7.5 · 40.
    const l = layoutNetwork([1, 1, 1, 1, 1, 1, 1, 1], { left: 10, top: 0, width: 320, height: 100 }, 48);
    expect(l.side).toEqual(Array(8).fill(20));
    expect(l.columnX[0]).toBe(30);
    expect(l.columnX[7]).toBe(310);
  });

  it('shrinks a column of 64 units to fit the height', () => {
    // 64 sides and 63 quarter-side gaps: 79.75 sides in 319, so a side of 4 and a step of 5.
    const l = layoutNetwork([2, 64, 1], { left: 0, top: 0, width: 600, height: 319 }, 48);
    expect(l.side[1]).toBe(4);
    expect(l.units[1]?.[0]?.y).toBe(2);
    expect(l.units[1]?.[63]?.y).toBe(317);
    expect(l.side[0]).toBe(48);
  });
});

describe('captionLines', () => {
  // At 10 px a character is reckoned 5.6 px wide.
  it('keeps a caption on one line when it fits, else breaks it after the arrow', () => {
    // 19 characters: 106.4 px.
    expect(captionLines('linear_1 → tanh', 8, 10, 200)).toEqual(['linear_1 → tanh (8)']);
    // 'linear_1 →' is 10 characters (56 px), 'tanh (8)' 8 (44.8 px).
    expect(captionLines('linear_1 → tanh', 8, 10, 80)).toEqual(['linear_1 →', 'tanh (8)']);
  });

  it('keeps only the part after the arrow over the count in a narrow column', () => {
    expect(captionLines('linear_1 → tanh', 8, 10, 50)).toEqual(['tanh', '(8)']);
    expect(captionLines('linear_1 → tanh', 8, 10, 10)).toEqual(['tanh', '(8)']);
    // 'logits (2)' is 10 characters: 56 px.
    expect(captionLines('logits', 2, 10, 60)).toEqual(['logits (2)']);
    expect(captionLines('logits', 2, 10, 40)).toEqual(['logits', '(2)']);
  });
});

describe('divergingColor', () => {
  const diverging = (v: number, scale: number): number[] => {
    const out = new Uint8ClampedArray(4);
    divergingColor(v, scale, out, 0);
    return Array.from(out);
  };

  it('runs from the orange class colour through grey to the blue one', () => {
    expect(diverging(-2, 2)).toEqual([...DIVERGING_NEGATIVE, 255]);
    expect(diverging(0, 2)).toEqual([...HEAT_GREY, 255]);
    expect(diverging(2, 2)).toEqual([...DIVERGING_POSITIVE, 255]);
    // A quarter of the way from grey (232, 234, 235) to orange (245, 147, 34): 235.25, 212.25, 184.75.
    expect(diverging(-0.5, 2)).toEqual([235, 212, 185, 255]);
    // A fifth of the way from grey to blue (8, 119, 189): 187.2, 211, 225.8.
    expect(diverging(1, 5)).toEqual([187, 211, 226, 255]);
  });

  it('clamps beyond the scale', () => {
    expect(diverging(10, 1)).toEqual(diverging(1, 1));
    expect(diverging(-10, 1)).toEqual(diverging(-1, 1));
    expect(diverging(Number.POSITIVE_INFINITY, 1)).toEqual([...DIVERGING_POSITIVE, 255]);
  });

  it('is neutral for a missing value or a unit that is zero everywhere', () => {
    const grey = [...HEAT_GREY, 255];
    expect(diverging(Number.NaN, 1)).toEqual(grey);
    expect(diverging(0, 0)).toEqual(grey);
    expect(diverging(1, Number.NaN)).toEqual(grey);
    expect(diverging(1, -1)).toEqual(grey);
  });

  it('writes at the offset it is given', () => {
    const out = new Uint8ClampedArray(8);
    divergingColor(-1, 1, out, 4);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, ...DIVERGING_NEGATIVE, 255]);
  });
});

describe('signalStyle', () => {
  it('thickens and turns violet with the square root of the share of the largest signal', () => {
    expect(signalStyle(0, 1, 48)).toEqual({ width: 0.75, color: 'rgb(154, 165, 177)' });
    expect(signalStyle(1, 1, 48)).toEqual({ width: 3, color: 'rgb(106, 61, 154)' });
    // √0.25 = 0.5: halfway from (154, 165, 177) to (106, 61, 154) is (130, 113, 165.5 → 166).
    expect(signalStyle(0.25, 1, 48)).toEqual({ width: 1.875, color: 'rgb(130, 113, 166)' });
  });

  it('keeps the border within a quarter of a small square and quiet without gradients', () => {
    expect(signalStyle(1, 1, 4).width).toBe(1);
    expect(signalStyle(1, 0, 48)).toEqual(signalStyle(0, 1, 48));
  });
});

describe('alignGroups', () => {
  it('centres each group over its column', () => {
    expect(alignGroups([100, 200], [60, 60], 300)).toEqual([70, 170]);
  });

  it('moves groups inside the row and past what stands at its start', () => {
    expect(alignGroups([20, 290], [60, 60], 300)).toEqual([0, 240]);
    expect(alignGroups([100], [60], 300, 80)).toEqual([80]);
  });

  it('gives up when the groups would overlap or do not fit', () => {
    // The second would start at 100, before the first one's end 130 plus the gap.
    expect(alignGroups([100, 130], [60, 60], 300)).toBeUndefined();
    expect(alignGroups([25], [60], 50)).toBeUndefined();
    expect(alignGroups([100], [60], 300, 250)).toBeUndefined();
  });
});

describe('changeHidden', () => {
  it('adds a copy of the last layer, or 4 units as the first, and removes the last', () => {
    expect(changeHidden([8, 3], { kind: 'addLayer' })).toEqual([8, 3, 3]);
    expect(changeHidden([], { kind: 'addLayer' })).toEqual([4]);
    expect(changeHidden([8, 3], { kind: 'removeLayer' })).toEqual([8]);
    expect(changeHidden([8], { kind: 'removeLayer' })).toEqual([]);
  });

  it('adds and removes a unit of one layer', () => {
    expect(changeHidden([8, 3], { kind: 'addUnit', layer: 1 })).toEqual([8, 4]);
    expect(changeHidden([8, 3], { kind: 'removeUnit', layer: 0 })).toEqual([7, 3]);
  });

  it('refuses what would leave 0–6 layers of 1–64 units', () => {
    expect(changeHidden([2, 2, 2, 2, 2, 2], { kind: 'addLayer' })).toBeUndefined();
    expect(changeHidden([], { kind: 'removeLayer' })).toBeUndefined();
    expect(changeHidden([64], { kind: 'addUnit', layer: 0 })).toBeUndefined();
    expect(changeHidden([1], { kind: 'removeUnit', layer: 0 })).toBeUndefined();
    expect(changeHidden([8], { kind: 'addUnit', layer: 1 })).toBeUndefined();
  });
});

describe('bmpDataUrl', () => {
  const decode = (url: string): number[] => Array.from(atob(url.slice('data:image/bmp;base64,'.length)), (c) => c.charCodeAt(0));
  const u32 = (b: number[], at: number): number => (b[at] ?? 0) + (b[at + 1] ?? 0) * 256 + (b[at + 2] ?? 0) * 65536 + (b[at + 3] ?? 0) * 16777216;

  it('writes a 24-bit BMP with its rows bottom-up, in BGR, padded to 4 bytes', () => {
    // One pixel wide, two tall: (10, 20, 30) on top, (40, 50, 60) below; each row 3 bytes + 1 of padding.
    const url = bmpDataUrl(new Uint8ClampedArray([10, 20, 30, 255, 40, 50, 60, 255]), 1, 2);
    expect(url.startsWith('data:image/bmp;base64,')).toBe(true);
    const b = decode(url);
    expect(b.slice(0, 2)).toEqual([0x42, 0x4d]);
    expect(b.length).toBe(54 + 2 * 4);
    expect(u32(b, 2)).toBe(62);
    expect(u32(b, 10)).toBe(54);
    expect(u32(b, 14)).toBe(40);
    expect([u32(b, 18), u32(b, 22)]).toEqual([1, 2]);
    expect(b[28]).toBe(24);
    expect(b.slice(54)).toEqual([60, 50, 40, 0, 30, 20, 10, 0]);
  });

  it('writes a single pixel, 58 bytes, whose base64 ends in padding', () => {
    // 58 = 3 · 19 + 1: the last byte is encoded alone, as two characters and '=='.
    const url = bmpDataUrl(new Uint8ClampedArray([200, 100, 50, 255]), 1, 1);
    expect(url.endsWith('==')).toBe(true);
    const b = decode(url);
    expect(b.length).toBe(58);
    expect(b.slice(54)).toEqual([50, 100, 200, 0]);
  });

  it('pads a row of two pixels from 6 to 8 bytes', () => {
    const b = decode(bmpDataUrl(new Uint8ClampedArray([1, 2, 3, 255, 4, 5, 6, 255]), 2, 1));
    expect(b.length).toBe(62);
    expect(b.slice(54)).toEqual([3, 2, 1, 6, 5, 4, 0, 0]);
  });
});

describe('edgeStyle', () => {
  it('grows with the square root of the share of the largest gradient', () => {
    expect(edgeStyle(0, 1)).toEqual({ width: 0.5, opacity: 0.15 });
    expect(edgeStyle(1, 1)).toEqual({ width: 6, opacity: 1 });
    // √0.25 = 0.5: 0.5 + 5.5 · 0.5 and 0.15 + 0.85 · 0.5.
    expect(edgeStyle(-0.25, 1)).toEqual({ width: 3.25, opacity: 0.575 });
  });

  it('draws hairlines when no gradient is known', () => {
    expect(edgeStyle(1, 0)).toEqual({ width: 0.5, opacity: 0.15 });
    expect(edgeStyle(Number.NaN, 1)).toEqual({ width: 0.5, opacity: 0.15 });
  });
});
