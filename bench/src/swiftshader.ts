import { tmpdir } from 'node:os';
import { hasSwiftShader } from '@gradstream/backend-webgpu/node';

export { onSwiftShader, rerunOnSwiftShader } from '@gradstream/backend-webgpu/node';

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
