import { GradstreamError, type Shape } from '@gradstream/tensor';
import type { AnyOpPlugin } from './op-plugin.js';

/**
 * Runs an op's `outputShape` and prefixes any error with the node it happened in, so a message
 * reads `node "linear_1" (linear), input x: expected [batch,1], got [4,2]`.
 */
export function inferOutputShape(nodeName: string, op: AnyOpPlugin, inputShapes: readonly Shape[], config: unknown): Shape {
  return naming(nodeName, op, () => op.outputShape(inputShapes, config));
}

/** Runs an op's `fromInputs` (the configuration fields its input shapes determine), its errors naming the node. */
export function inferFromInputs(nodeName: string, op: AnyOpPlugin, inputShapes: readonly Shape[], config: Record<string, unknown>): Record<string, unknown> {
  return naming(nodeName, op, () => (op.fromInputs?.(inputShapes, config) ?? {}) as Record<string, unknown>);
}

/** Runs `f`, prefixing a GradstreamError it throws with the node and op it happened in. */
function naming<T>(nodeName: string, op: AnyOpPlugin, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GradstreamError) {
      throw new GradstreamError(e.code, `node "${nodeName}" (${op.name}), ${e.message}`, {
        ...e.details,
        node: nodeName,
        op: op.name,
      });
    }
    throw e;
  }
}
