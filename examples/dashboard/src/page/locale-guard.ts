/*
 * uPlot formats numbers with `new Intl.NumberFormat(navigator.language)` as soon as it loads. A
 * browser whose language is not a valid tag (`en-US@posix`, as minimal containers report it) makes
 * that throw, and the page would stay blank. The page writes every number it shows itself (see
 * format.ts); this only hands the chart library a tag it can load with: the language without its
 * modifier when that is valid, else `en-US`. Imported first by main.ts, before the charts.
 */
function usable(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

/** The tag to stand in for a language the browser reports but Intl refuses, or undefined when it is fine. */
export function usableLanguage(language: string): string | undefined {
  if (usable(language)) return undefined;
  const base = language.split(/[@.]/)[0] ?? '';
  return base !== '' && usable(base) ? base : 'en-US';
}

const stand = typeof navigator === 'undefined' ? undefined : usableLanguage(navigator.language);
if (stand !== undefined) Object.defineProperty(navigator, 'language', { value: stand, configurable: true });
