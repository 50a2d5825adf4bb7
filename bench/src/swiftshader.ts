import { spawn } from 'node:child_process';
import { constants, tmpdir } from 'node:os';
import { basename, delimiter, dirname } from 'node:path';
import { hasSwiftShader, swiftShaderEnv } from '@gradstream/backend-webgpu/node';

/**
 * True when this process started with its Vulkan loader pointed at a SwiftShader driver:
 * `VK_ICD_FILENAMES` names a SwiftShader manifest and `LD_LIBRARY_PATH` holds its folder. Such a
 * process that still finds no adapter gains nothing from being run again.
 */
export function onSwiftShader(env: NodeJS.ProcessEnv = process.env): boolean {
  const icd = env['VK_ICD_FILENAMES'];
  if (icd === undefined || basename(icd) !== 'vk_swiftshader_icd.json') return false;
  return (env['LD_LIBRARY_PATH'] ?? '').split(delimiter).includes(dirname(icd));
}

/**
 * The folder holding the SwiftShader Vulkan driver: the temp directory, where `@sparticuz/chromium`
 * extracts it beside its Chromium (done here on first use, seconds, once per machine).
 */
export async function extractSwiftShader(): Promise<string> {
  const dir = tmpdir();
  if (!hasSwiftShader(dir)) {
    const { default: chromium } = await import('@sparticuz/chromium');
    await chromium.executablePath();
  }
  if (!hasSwiftShader(dir)) throw new Error(`@sparticuz/chromium left no SwiftShader driver (libvulkan.so.1, libvk_swiftshader.so, vk_swiftshader_icd.json) in ${dir}`);
  return dir;
}

/**
 * Runs this same command again (`process.execPath`, the same Node flags and arguments) in a child
 * whose environment points the Vulkan loader at the SwiftShader driver in `dir`: the loader reads
 * `LD_LIBRARY_PATH` and `VK_ICD_FILENAMES` only when a process starts, so the running one cannot
 * switch. The child shares this process's stdio; SIGINT and SIGTERM are passed on to it. Resolves
 * to its exit code (128 + the signal's number when a signal ended it).
 */
export function rerunOnSwiftShader(dir: string): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...swiftShaderEnv(dir) } });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === null ? 1 : 128 + constants.signals[signal]));
    });
  });
}
