import { circles, moons, sine, spirals, xor, xorCloud, type Labeled } from '@gradstream/datasets';
import { digits } from '@gradstream/datasets/digits';
import { GradstreamError } from '@gradstream/tensor';
import type { RawSamples } from '@gradstream/data';

type Options = Readonly<Record<string, number | string>>;

interface Builtin {
  /** Accepted options and whether each is numeric (an integer, if so). */
  readonly options: Readonly<Record<string, 'integer' | 'number' | readonly string[]>>;
  readonly make: (o: Options) => Labeled;
  readonly about: string;
}

const toy = (make: typeof spirals, about: string): Builtin => ({
  options: { samples: 'integer', noise: 'number', seed: 'integer' },
  make: (o) => make(o as { samples?: number; noise?: number; seed?: number }),
  about,
});

const BUILTINS: Readonly<Record<string, Builtin>> = {
  xor: { options: {}, make: () => xor(), about: 'the XOR truth table: 4 samples, 2 inputs, 1 target' },
  sine: { options: { points: 'integer' }, make: (o) => sine(o.points as number | undefined), about: 'y = sin(x) on evenly spaced x in [−π, π] (points, default 64)' },
  spirals: toy(spirals, 'two interleaved spirals, 2 inputs, label 0/1'),
  circles: toy(circles, 'a disc inside a ring, 2 inputs, label 0/1'),
  moons: toy(moons, 'two interleaving half moons, 2 inputs, label 0/1'),
  xorCloud: toy(xorCloud, 'points in [−1, 1]², label 1 where x·y < 0, 2 inputs'),
  digits: {
    options: { train: 'integer', test: 'integer', seed: 'integer', split: ['train', 'test'] },
    make: (o) => {
      const { split = 'train', ...rest } = o;
      const sets = digits(rest as { train?: number; test?: number; seed?: number });
      return split === 'test' ? sets.test : sets.train;
    },
    about: 'handwritten 28×28 digits: 784 inputs, 10 one-hot targets (split=train: 8000, split=test: 2000)',
  },
};

/**
 * Names of the built-in datasets `builtin:NAME` may refer to.
 *
 * @example
 * ```ts
 * import { BUILTIN_DATASETS } from '@gradstream/cli';
 * BUILTIN_DATASETS.includes('spirals'); // true
 * ```
 */
export const BUILTIN_DATASETS: readonly string[] = Object.freeze(Object.keys(BUILTINS));

/**
 * One line per built-in dataset: its name, its options and what it holds (for `--help`).
 *
 * @example
 * ```ts
 * import { describeBuiltins } from '@gradstream/cli';
 * console.log(describeBuiltins());
 * ```
 */
export function describeBuiltins(): string {
  return Object.entries(BUILTINS)
    .map(([name, b]) => {
      const opts = Object.keys(b.options);
      return `builtin:${name}${opts.length > 0 ? `[?${opts.map((k) => `${k}=…`).join('&')}]` : ''}  ${b.about}`;
    })
    .join('\n');
}

/**
 * Generates a built-in dataset from a reference `builtin:NAME` with optional settings as a query,
 * e.g. `builtin:spirals?samples=400&noise=0.2&seed=3` or `builtin:digits?split=test`. The toy sets
 * come from the seeded generator of `@gradstream/datasets` (the same settings give the same
 * points); digits are the real images shipped by the `mnist` package. An unknown name or setting
 * is an `INVALID_USAGE` error listing the known ones, as is a setting the generator refuses (such as
 * more digits than there are): the command line was wrong, so `gradstream` exits 2.
 *
 * @param ref - `builtin:NAME[?key=value&…]`
 * @example
 * ```ts
 * import { builtinSamples } from '@gradstream/cli';
 * builtinSamples('builtin:xor').y; // [[0], [1], [1], [0]]
 * ```
 */
export function builtinSamples(ref: string): RawSamples {
  const body = ref.replace(/^builtin:/, '');
  const [name = '', query = ''] = body.split('?', 2);
  const builtin = BUILTINS[name];
  if (builtin === undefined) {
    throw new GradstreamError('INVALID_USAGE', `--data ${ref}: unknown built-in dataset "${name}"; known: ${BUILTIN_DATASETS.map((n) => `builtin:${n}`).join(', ')}`, {
      dataset: name,
      known: [...BUILTIN_DATASETS],
    });
  }
  const options: Record<string, number | string> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    const kind = builtin.options[key];
    const fail = (expected: string): never => {
      throw new GradstreamError('INVALID_USAGE', `--data ${ref}: ${key} must be ${expected}, got ${JSON.stringify(value)}`, { dataset: name, option: key });
    };
    if (kind === undefined) {
      const known = Object.keys(builtin.options);
      throw new GradstreamError(
        'INVALID_USAGE',
        `--data ${ref}: builtin:${name} has no setting "${key}"${known.length > 0 ? `; it takes ${known.join(', ')}` : '; it takes none'}`,
        { dataset: name, option: key, known },
      );
    }
    if (typeof kind !== 'string') {
      if (!kind.includes(value)) fail(`one of ${kind.join(', ')}`);
      options[key] = value;
    } else {
      const v = Number(value);
      if (value.trim() === '' || !Number.isFinite(v) || (kind === 'integer' && !Number.isInteger(v))) fail(kind === 'integer' ? 'an integer' : 'a number');
      options[key] = v;
    }
  }
  let data: Labeled;
  try {
    data = builtin.make(options);
  } catch (e) {
    // A setting in range for its type but refused by the generator (digits?train=9000&test=2000).
    if (e instanceof GradstreamError && e.code === 'INVALID_OPTION') throw new GradstreamError('INVALID_USAGE', `--data ${ref}: ${e.message}`, { ...e.details, dataset: name });
    throw e;
  }
  return { source: ref, x: data.x, y: data.y, locate: (i) => `sample ${i}` };
}
