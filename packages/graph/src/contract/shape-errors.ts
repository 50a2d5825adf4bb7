import { GradstreamError, type Shape } from '@gradstream/tensor';
import type { AnyOpPlugin } from './op-plugin.js';

/**
 * Runs an op's `outputShape` and prefixes any error with the node it happened in, so a message
 * reads `node "linear_1" (linear), input x: expected [batch,1], got [4,2]`.
 */
export function inferOutputShape(nodeName: string, op: AnyOpPlugin, inputShapes: readonly Shape[], config: unknown): Shape {
  try {
    return op.outputShape(inputShapes, config);
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
