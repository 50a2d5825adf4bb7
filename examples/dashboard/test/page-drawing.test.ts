import { describe, expect, it } from 'vitest';
import { HEAT_BLUE, HEAT_GREY, HEAT_ORANGE, probabilityColor } from '../src/page/colors.js';
import { logTick } from '../src/page/log-tick.js';
import { edgeStyle, layoutNetwork } from '../src/page/network-layout.js';

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
  it('spreads columns evenly and centres each at the tallest column’s spacing', () => {
    // Inner height 228 − 28 − 20 = 180 over 4 units: spacing 45, middle at 28 + 90 = 118.
    const l = layoutNetwork([2, 4, 1], 300, 228, 40, 28);
    expect(l.columnX).toEqual([40, 150, 260]);
    expect(l.units[1]?.map((u) => u.y)).toEqual([50.5, 95.5, 140.5, 185.5]);
    expect(l.units[0]?.map((u) => u.y)).toEqual([95.5, 140.5]);
    expect(l.units[2]).toEqual([{ x: 260, y: 118 }]);
    // 0.32 · 45 = 14.4, capped at 14.
    expect(l.radius).toBe(14);
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
