/// <reference types="@webgpu/types" />
import { GradstreamError } from '@gradstream/tensor';
import { BufferUsage, ShaderStage } from './gpu-constants.js';

/** A uniform's WGSL type: every scalar a kernel takes is one 4-byte word. */
export type UniformType = 'u32' | 'i32' | 'f32';

/**
 * One compute kernel's WGSL, declared once (module level) and compiled per aliasing pattern of its
 * arrays: WebGPU refuses one buffer bound twice in a dispatch where either binding is writable, so
 * arrays that are the same buffer (`add(a, b, a)`) are bound once, under the first name.
 */
export interface KernelSpec {
  /** For messages and the pipeline's label. */
  readonly name: string;
  /** The storage arrays (`array<f32>`), in the order `dispatch` takes them. */
  readonly arrays: readonly string[];
  /** The scalars, read in WGSL as `u.name`. */
  readonly uniforms: readonly (readonly [string, UniformType])[];
  /** `@workgroup_size`; a 1-D kernel gives one number. */
  readonly workgroupSize: readonly [number] | readonly [number, number] | readonly [number, number, number];
  /** Helper functions and `var<workgroup>` declarations, before `main`. */
  readonly prelude?: string;
  /**
   * `main`'s body. In scope: `gid`, `lid`, `wid`, `nwg` (the builtins) and `i`, the flat index of a
   * 1-D dispatch whose workgroups {@link Dispatcher.dispatch1d} spilled into y.
   */
  readonly body: string;
}

interface Compiled {
  readonly pipeline: GPUComputePipeline;
  /** For each distinct buffer bound, the index of its array in the call's arguments. */
  readonly distinct: readonly number[];
  /** Bind groups by the ids of their buffers, a trie of maps (no key string built per call). */
  readonly groups: Map<number, unknown>;
}

/** Every uniform block takes one slot of this many bytes (WebGPU's dynamic-offset alignment). */
const SLOT_BYTES = 256;
/** Slots in the uniform ring: dispatches recorded between two submits. */
const SLOTS = 1024;
/** WebGPU's least maximum of workgroups per dimension. */
export const MAX_GROUPS = 65535;

/**
 * Records kernels into one open compute pass and submits them when the queue must run them (a
 * read, a write, a full uniform ring): pipelines compiled once per kernel and aliasing pattern,
 * bind groups made once per set of buffers, scalars written into a ring of uniform slots bound
 * at dynamic offsets, so a steady-state dispatch creates no GPU object.
 */
export class Dispatcher {
  private readonly compiled = new Map<KernelSpec, Map<number, Compiled>>();
  private readonly uniformBuffer: GPUBuffer;
  private readonly staging = new ArrayBuffer(SLOT_BYTES * SLOTS);
  private readonly u32 = new Uint32Array(this.staging);
  private readonly i32 = new Int32Array(this.staging);
  private readonly f32 = new Float32Array(this.staging);
  private slot = 0;
  /** The dynamic offset of a dispatch's uniforms, in an array made once (not one per dispatch). */
  private readonly offset = new Uint32Array(1);
  private encoder: GPUCommandEncoder | undefined;
  private pass: GPUComputePassEncoder | undefined;
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 1;
  /** Dispatches recorded since the dispatcher was made. */
  dispatches = 0;
  /** Queue submissions since the dispatcher was made. */
  submits = 0;
  /**
   * The first failure the device reported (lost, out of memory, a kernel that did not compile):
   * reads reject with it, since WebGPU reports these asynchronously.
   */
  failure: GradstreamError | undefined;

  constructor(readonly device: GPUDevice) {
    this.uniformBuffer = device.createBuffer({ label: 'gradstream uniforms', size: SLOT_BYTES * SLOTS, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
  }

  /** Records `spec` over `groupsX × groupsY × groupsZ` workgroups. */
  dispatch(spec: KernelSpec, buffers: readonly GPUBuffer[], uniforms: readonly number[], groupsX: number, groupsY = 1, groupsZ = 1): void {
    if (groupsX === 0 || groupsY === 0 || groupsZ === 0) return;
    if (groupsX > MAX_GROUPS || groupsY > MAX_GROUPS || groupsZ > MAX_GROUPS) {
      throw new GradstreamError('TOO_LARGE', `webgpu: ${spec.name} needs ${groupsX}×${groupsY}×${groupsZ} workgroups, more than ${MAX_GROUPS} along one axis`, { kernel: spec.name });
    }
    if (this.slot === SLOTS) this.flush();
    const c = this.pipelineFor(spec, buffers);
    const offset = this.slot * SLOT_BYTES;
    const word = offset / 4;
    for (let k = 0; k < spec.uniforms.length; k++) {
      const v = uniforms[k] as number;
      const type = (spec.uniforms[k] as readonly [string, UniformType])[1];
      if (type === 'f32') this.f32[word + k] = v;
      else if (type === 'i32') this.i32[word + k] = v;
      else this.u32[word + k] = v;
    }
    this.slot++;
    const pass = this.openPass();
    pass.setPipeline(c.pipeline);
    this.offset[0] = offset;
    pass.setBindGroup(0, this.bindGroup(c, buffers), this.offset, 0, 1);
    pass.dispatchWorkgroups(groupsX, groupsY, groupsZ);
    this.dispatches++;
  }

  /**
   * Records a 1-D kernel over `n` invocations: its workgroups along x, spilling into y beyond
   * WebGPU's 65,535 per axis (the kernel's `i` counts across both).
   */
  dispatch1d(spec: KernelSpec, buffers: readonly GPUBuffer[], uniforms: readonly number[], n: number): void {
    const groups = Math.ceil(n / spec.workgroupSize[0]);
    const y = Math.ceil(groups / MAX_GROUPS);
    this.dispatch(spec, buffers, uniforms, y === 1 ? groups : Math.ceil(groups / y), y);
  }

  /** The command encoder to add copies to (the open compute pass ended first). */
  commands(): GPUCommandEncoder {
    this.endPass();
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  /** Submits everything recorded (with the scalars it reads); a no-op when nothing is. */
  flush(): void {
    this.endPass();
    if (this.encoder === undefined) return;
    if (this.slot > 0) this.device.queue.writeBuffer(this.uniformBuffer, 0, this.staging, 0, this.slot * SLOT_BYTES);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = undefined;
    this.slot = 0;
    this.submits++;
  }

  /** Forgets bind groups (they hold buffers that are being destroyed). */
  forgetBindGroups(): void {
    for (const patterns of this.compiled.values()) for (const c of patterns.values()) c.groups.clear();
  }

  /** Releases the uniform ring. */
  destroy(): void {
    this.uniformBuffer.destroy();
  }

  private openPass(): GPUComputePassEncoder {
    if (this.pass !== undefined) return this.pass;
    this.encoder ??= this.device.createCommandEncoder();
    this.pass = this.encoder.beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    if (this.pass === undefined) return;
    this.pass.end();
    this.pass = undefined;
  }

  private bufferId(b: GPUBuffer): number {
    let id = this.ids.get(b);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(b, id);
    }
    return id;
  }

  private bindGroup(c: Compiled, buffers: readonly GPUBuffer[]): GPUBindGroup {
    let node: Map<number, unknown> = c.groups;
    const last = c.distinct.length - 1;
    for (let k = 0; k < last; k++) {
      const id = this.bufferId(buffers[c.distinct[k] as number] as GPUBuffer);
      let next = node.get(id) as Map<number, unknown> | undefined;
      if (next === undefined) node.set(id, (next = new Map()));
      node = next;
    }
    const lastId = last < 0 ? 0 : this.bufferId(buffers[c.distinct[last] as number] as GPUBuffer);
    let group = node.get(lastId) as GPUBindGroup | undefined;
    if (group === undefined) {
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.uniformBuffer, offset: 0, size: SLOT_BYTES } }];
      c.distinct.forEach((arg, k) => entries.push({ binding: k + 1, resource: { buffer: buffers[arg] as GPUBuffer } }));
      group = this.device.createBindGroup({ layout: c.pipeline.getBindGroupLayout(0), entries });
      node.set(lastId, group);
    }
    return group;
  }

  private pipelineFor(spec: KernelSpec, buffers: readonly GPUBuffer[]): Compiled {
    // The aliasing pattern: for each argument, the first argument that is the same buffer.
    let pattern = 0;
    for (let k = 0; k < buffers.length; k++) {
      let first = k;
      for (let j = 0; j < k; j++) {
        if (buffers[j] === buffers[k]) {
          first = j;
          break;
        }
      }
      pattern = pattern * 16 + first;
    }
    let patterns = this.compiled.get(spec);
    if (patterns === undefined) this.compiled.set(spec, (patterns = new Map()));
    let c = patterns.get(pattern);
    if (c === undefined) {
      c = this.compile(spec, buffers);
      patterns.set(pattern, c);
    }
    return c;
  }

  private compile(spec: KernelSpec, buffers: readonly GPUBuffer[]): Compiled {
    if (buffers.length !== spec.arrays.length) throw new RangeError(`webgpu: ${spec.name} takes ${spec.arrays.length} arrays, given ${buffers.length}`);
    const distinct: number[] = [];
    const rename = new Map<string, string>();
    spec.arrays.forEach((name, k) => {
      const first = buffers.indexOf(buffers[k] as GPUBuffer);
      if (first === k) distinct.push(k);
      else rename.set(name, spec.arrays[first] as string);
    });
    const source = wgslSource(spec, distinct, rename);
    const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: ShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } }];
    distinct.forEach((_arg, k) => entries.push({ binding: k + 1, visibility: ShaderStage.COMPUTE, buffer: { type: 'storage' } }));
    const layout = this.device.createPipelineLayout({ bindGroupLayouts: [this.device.createBindGroupLayout({ entries })] });
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label: spec.name, code: source });
    const pipeline = this.device.createComputePipeline({ label: spec.name, layout, compute: { module, entryPoint: 'main' } });
    void this.device.popErrorScope().then((error) => {
      if (error !== null) this.failure ??= new GradstreamError('BACKEND_UNAVAILABLE', `webgpu: kernel ${spec.name} did not compile: ${error.message}`, { kernel: spec.name });
    });
    return { pipeline, distinct, groups: new Map() };
  }
}

/** Replaces whole identifiers (not `u.name` fields) by their new names. */
function renameArrays(code: string, rename: ReadonlyMap<string, string>): string {
  let out = code;
  for (const [from, to] of rename) out = out.replace(new RegExp(`(?<![.\\w])${from}(?!\\w)`, 'g'), to);
  return out;
}

/** The whole WGSL module of a kernel for one aliasing pattern. */
export function wgslSource(spec: KernelSpec, distinct: readonly number[], rename: ReadonlyMap<string, string>): string {
  const fields = spec.uniforms.length === 0 ? ['unused: u32'] : spec.uniforms.map(([n, t]) => `${n}: ${t}`);
  const size = spec.workgroupSize;
  const lines = [
    `struct Uniforms { ${fields.join(', ')} }`,
    '@group(0) @binding(0) var<uniform> u: Uniforms;',
    ...distinct.map((arg, k) => `@group(0) @binding(${k + 1}) var<storage, read_write> ${spec.arrays[arg]}: array<f32>;`),
    WGSL_HELPERS,
    renameArrays(spec.prelude ?? '', rename),
    `@compute @workgroup_size(${size.join(', ')})`,
    'fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {',
    `  let i = gid.x + gid.y * nwg.x * ${size[0]}u;`,
    renameArrays(spec.body, rename),
    '}',
  ];
  return lines.join('\n');
}

/**
 * Functions every kernel may call: the elementary functions the op definitions use where WGSL's
 * built-in ones lose accuracy or overflow (`tanh` of a large argument, `log(1 + x)` near 0).
 */
export const WGSL_HELPERS = `
fn gs_log1p(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (u == gs_inf()) { return u; }
  return log(u) * (x / (u - 1.0));
}
fn gs_tanh(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.125) {
    // Taylor's series: below 0.125 the next term is under 2⁻³⁰ of the value.
    let x2 = x * x;
    return x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (-17.0 / 315.0))));
  }
  let t = exp(-2.0 * a);
  let r = (1.0 - t) / (1.0 + t);
  return select(r, -r, x < 0.0);
}
// Through a var: a constant expression may not be NaN or infinite.
fn gs_nan() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn gs_inf() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn gs_negzero() -> f32 { var bits = 0x80000000u; return bitcast<f32>(bits); }
fn gs_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
// By the bits: compilers may take \`x != x\` for an ordered comparison, false for NaN.
fn gs_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn gs_exp(x: f32) -> f32 { return select(exp(x), x, gs_isnan(x)); }
`;
