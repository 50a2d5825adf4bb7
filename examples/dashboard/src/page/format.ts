/*
 * Numbers as the page shows them, the same in every browser language: a dot for decimals, no
 * grouping separators, nothing from Intl or toLocaleString.
 */

/** A measurement to four significant digits (`0.6931`, `12.5`), tiny ones in exponent form, '–' when not finite. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/** A share as a percentage with one decimal (`97.5 %`), '–' when not finite. */
export function formatPercent(share: number): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(1)} %` : '–';
}

/** An axis tick for a count such as a step: `950`, `12k`, `1.5M`; fractional ticks are not labelled. */
export function formatCount(v: number | null): string | null {
  if (v === null || !Number.isFinite(v)) return null;
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return Number.isInteger(v) ? String(v) : null;
}
