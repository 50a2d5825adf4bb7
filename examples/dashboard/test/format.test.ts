import { describe, expect, it } from 'vitest';
import { formatCount, formatPercent, formatValue } from '../src/page/format.js';
import { usableLanguage } from '../src/page/locale-guard.js';

describe('number formats', () => {
  it('write measurements, shares and counts the same in every language', () => {
    expect([0.693147, 12.5, 0.0001234, 0, Number.NaN].map(formatValue)).toEqual(['0.6931', '12.5', '1.23e-4', '0', '–']);
    expect([0.975, 1, Number.NaN].map(formatPercent)).toEqual(['97.5 %', '100.0 %', '–']);
    expect([950, 12000, 1_500_000, 2.5, null].map(formatCount)).toEqual(['950', '12k', '1.5M', null, null]);
  });
});

describe('usableLanguage', () => {
  it('stands in for a language tag Intl refuses, and leaves a good one alone', () => {
    expect(usableLanguage('en-US')).toBeUndefined();
    expect(usableLanguage('en-US@posix')).toBe('en-US');
    expect(usableLanguage('de_DE.UTF-8')).toBe('en-US');
    expect(() => new Intl.NumberFormat('en-US@posix')).toThrow(RangeError);
  });
});
