/**
 * The op plugin contract and registry, models as graphs of nodes, compiled plans, the tape,
 * nodes as RxJS operators, and gradient checking.
 *
 * @packageDocumentation
 * @mergeModuleWith <project>
 */
export { GradstreamError, type ErrorCode } from '@gradstream/tensor';
export type { AnyOpPlugin, BackwardContext, EmitContext, EmittedSource, ForwardContext, GradcheckCase, JsonSchema, OpPlugin, ParamDecl } from './op-plugin.js';
export { defineComposite, type CompositeDefinition } from './composite.js';
export { defineOp, expectRows, expectSameShape, shapeError, type OpDefinition } from './define-op.js';
export { Registry, createRegistry, defaultRegistry, type RegistryOptions } from './registry.js';
export { formatSchemaErrors, problemLines, type SchemaProblem } from './schema-errors.js';
export { INPUT, SPEC_VERSION, TARGET, type LayerSpec, type ModelSpec } from './spec.js';
export { GraphNode } from './node.js';
export { Model, buildModel, sequential, type BuildOptions, type ParamRef } from './model.js';
export { Plan } from './plan.js';
export { Tape, localGradients, runNode, type RunOptions, type TapeEntry, type TapeGradients } from './tape.js';
export { modelOperator, nodeOperator, type Batch, type ForwardResult } from './operators.js';
export { checkGradients, gradcheck, type CheckGradientsOptions, type GradcheckEntry, type GradcheckOptions, type GradcheckReport, type GradientReport } from './gradcheck.js';
export { SourceBindings } from './node-source.js';
export { checkSource, type CheckSourceOptions, type SourceMismatch, type SourceReport } from './source-check.js';
export { specSchema } from './spec-schema.js';
export { fromSpec, toSpec, validateSpec } from './spec-io.js';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkpointSchema,
  fromCheckpoint,
  loadParams,
  parseCheckpoint,
  toCheckpoint,
  validateCheckpoint,
  type Checkpoint,
  type CheckpointExtra,
  type CheckpointState,
  type CheckpointTensor,
  type LoadedCheckpoint,
} from './checkpoint.js';
export type { JsonValue } from './json.js';
