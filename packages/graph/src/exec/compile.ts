/*
 * A program's passes as generated straight-line code. Each node becomes a function named after it
 * (`node_linear_1_forward`), so a failure's stack trace names the node, and the file carries a
 * sourceURL naming the program and the pass. Inside, a node whose kernel calls were recorded (see
 * trace.ts) runs them directly, each written by the backend (`renderCall`): a call with its sizes
 * and buffers bound as constants, or for tiny sizes the kernel's loop in place. A node that could
 * not be recorded is called as it is. For small networks the per-node dispatch of a loop over
 * contexts costs more than the arithmetic; this removes it.
 */
import { SourceBindings, identifier, type KernelCall } from '@gradstream/tensor';
import type { BoundNode } from './executor.js';
import type { Program } from './program.js';

/** Recorded calls per node: an array, or null where the node must be called as it is. */
export type Recordings = readonly (readonly KernelCall[] | null)[];

/** Which pass to generate: forward over the first `count` nodes in a mode, or backward over all. */
export type PassKind = { readonly kind: 'forward'; readonly training: boolean; readonly count: number } | { readonly kind: 'backward' };

/**
 * Text from a spec (a layer's name) made safe for a `//` comment in generated code: printable ASCII
 * only. A line terminator (\n, \r, U+2028, U+2029) would end the comment and let the rest of the
 * name run as code; anything else outside printable ASCII becomes `?` too.
 */
function commentText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** Generates one pass; undefined where code generation is not allowed. */
export function generatePass(program: Program, pass: PassKind, recordings: Recordings): (() => void) | undefined {
  const b = new SourceBindings();
  const backend = program.backend;
  const render = (calls: readonly KernelCall[]): string => calls.map((c) => backend.renderCall(c, b)).join('\n');
  const taken = new Set<string>();
  const unique = (name: string): string => {
    let id = identifier(name);
    while (taken.has(id)) id += '_';
    taken.add(id);
    return id;
  };
  const functions: string[] = [];
  const calls: string[] = [];
  const nodeFunction = (node: BoundNode, role: string, body: string): void => {
    const name = unique(`node_${node.node.name}_${role}`);
    functions.push(`// ${commentText(node.node.label)}, ${role}\nfunction ${name}() {\n${body}\n}`);
    calls.push(`${name}();`);
  };
  if (pass.kind === 'forward') {
    for (let i = 0; i < pass.count; i++) {
      const node = program.bound[i] as BoundNode;
      const rec = recordings[i];
      nodeFunction(node, pass.training ? 'forward' : 'forward_eval', rec ? render(rec) : `${b.value(node, 'bound')}.forward(${pass.training});`);
    }
  } else {
    for (const t of program.sharedGrads) calls.push(backend.renderCall({ kernel: 'fill', args: [t.data, 0] }, b));
    for (let i = program.bound.length - 1; i >= 0; i--) {
      const node = program.bound[i] as BoundNode;
      const rec = recordings[i];
      let body = rec ? render(rec) : `${b.value(node, 'bound')}.backward();`;
      for (const [own, target] of program.accumulate[i] ?? []) body += `\n${backend.renderCall({ kernel: 'add', args: [target.data, own.data, target.data] }, b)}`;
      nodeFunction(node, 'backward', body);
    }
  }
  const name = pass.kind === 'forward' ? `${pass.training ? 'forward' : 'forward_eval'}${pass.count < program.bound.length ? `_first${pass.count}` : ''}` : 'backward';
  const body = `${functions.join('\n')}\nreturn function ${identifier(name)}() {\n${calls.join('\n')}\n};`;
  return b.instantiate<() => void>(body, `gradstream-${program.spec.name}-${name}`);
}
