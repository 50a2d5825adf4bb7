/**
 * Runs one TypeScript block of README.md or a guide in Node, as a reader would run it: bundled
 * with esbuild (the blocks it continues first), `@gradstream/*` resolved to the packages'
 * TypeScript sources, then `node` on the bundle in a child process.
 *
 * The working directory is a new empty one for each run, deleted afterwards, like a reader's new
 * project: what a block writes (a checkpoint, a schema) never lands in the repository, runs going
 * on at once cannot overwrite each other's files, and a block cannot lean on the repository's
 * files through a relative path that only resolves from its root.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { constants, tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { type Module, describeBlock, modulesOf, root, tsBlocks } from './doc-blocks.js';
import { packageSourcesPlugin } from './package-sources.js';

export interface BlockRun {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code; 124 if it was killed for running past the time limit (as timeout(1) reports it). */
  readonly code: number;
}

const TIME_LIMIT_MS = 60_000;
const packagesDir = join(root, 'packages') + sep;

/**
 * With `@gradstream/*` bundled from the packages' sources (as vitest and the type-check see them),
 * `import.meta.url` in a package's source is that source file's URL, not the bundle's: the packages find files
 * beside them with it (the CLI its package.json, datasets the mnist package), and their built
 * dist/ files sit as deep in the package as src/ does.
 */
const importMetaUrlPlugin: Plugin = {
  name: 'gradstream-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(packagesDir)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/**
 * Packages that find a native binary next to their own file (`webgpu`'s Dawn): left out of the
 * bundle, imported from where they are installed, by absolute path.
 */
const NATIVE_PACKAGES: Readonly<Record<string, string>> = { webgpu: 'packages/backend-webgpu' };
const nativePackagesPlugin: Plugin = {
  name: 'gradstream-native-packages',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${Object.keys(NATIVE_PACKAGES).join('|')})$`) }, (args) => {
      const from = join(root, NATIVE_PACKAGES[args.path] as string, 'package.json');
      return { path: pathToFileURL(createRequire(from).resolve(args.path)).href, external: true };
    });
  },
};

const modulesByFile = new Map<string, Module[]>();

function moduleOf(file: string, index: number): Module {
  let modules = modulesByFile.get(file);
  if (modules === undefined) {
    modules = modulesOf(tsBlocks(file)).modules;
    modulesByFile.set(file, modules);
  }
  const m = modules.find((x) => x.block.index === index);
  if (m === undefined) throw new Error(`${file} has no checked ts block ${index}`);
  if (m.notRun !== undefined) throw new Error(`${describeBlock(m.block)} is not run in Node: it ${m.notRun}`);
  return m;
}

/** Bundles and runs block `index` (1-based among the file's ts blocks) of `file` (relative to the repository root). */
export async function runBlock(file: string, index: number): Promise<BlockRun> {
  const m = moduleOf(file, index);
  const dir = await mkdtemp(join(tmpdir(), 'gradstream-docs-run-'));
  try {
    const outfile = join(dir, 'block.mjs');
    await build({
      stdin: {
        contents: m.text,
        // Bare imports in a block (rxjs, node:fs) resolve from the test package, like the type-check's.
        resolveDir: join(root, 'test'),
        // Stack traces name the markdown file; their lines count from the first block of the chain.
        sourcefile: join(root, `${m.block.file}.block${m.block.index}.ts`),
        loader: 'ts',
      },
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      logLevel: 'silent',
      // CommonJS dependencies bundled into ESM still `require` Node's built-ins.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      plugins: [nativePackagesPlugin, packageSourcesPlugin(root), importMetaUrlPlugin],
    });
    const cwd = join(dir, 'cwd');
    await mkdir(cwd);
    return await runNode(outfile, cwd);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runNode(script: string, cwd: string): Promise<BlockRun> {
  // The test runner's own settings are not a reader's: no injected Node options, no forced colours
  // (their escapes would end up in output compared with a guide's).
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['NODE_OPTIONS'];
  delete env['FORCE_COLOR'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIME_LIMIT_MS);
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ stdout, stderr: `${stderr}\n(killed: still running after ${TIME_LIMIT_MS / 1000} s)`, code: 124 });
      // Killed from outside: reported as a shell would, 128 + the signal's number.
      else resolve({ stdout, stderr, code: code ?? 128 + (signal === null ? 0 : constants.signals[signal]) });
    });
  });
}
