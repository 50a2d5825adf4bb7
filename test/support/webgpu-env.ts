/**
 * Vitest global setup: points the test processes' Vulkan loader at the SwiftShader driver that
 * `@sparticuz/chromium` extracts beside its Chromium, so the WebGPU tests find an adapter on a
 * machine with no GPU (the loader reads these variables when a process starts, and the test
 * workers start after this).
 */
import { tmpdir } from 'node:os';
import { hasSwiftShader, swiftShaderEnv } from '../../packages/backend-webgpu/src/node.js';
import { chromiumPath } from './chromium.js';

export default async function setup(): Promise<void> {
  if (process.env['CHROMIUM_PATH'] === undefined) await chromiumPath();
  const dir = tmpdir();
  if (!hasSwiftShader(dir)) return;
  Object.assign(process.env, swiftShaderEnv(dir));
}
