/**
 * The WebGPU flag values the backend uses, as numbers: the `GPUBufferUsage` and `GPUMapMode`
 * globals exist in pages but not in Node's `webgpu` package unless installed globally.
 */
export const BufferUsage = Object.freeze({ MAP_READ: 0x0001, COPY_SRC: 0x0004, COPY_DST: 0x0008, UNIFORM: 0x0040, STORAGE: 0x0080 });
export const MapMode = Object.freeze({ READ: 0x0001 });
export const ShaderStage = Object.freeze({ COMPUTE: 0x4 });
