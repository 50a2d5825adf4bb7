/**
 * The op plugin contract and registry, models as graphs of nodes, compiled plans, the tape,
 * nodes as RxJS operators, and gradient checking.
 *
 * @packageDocumentation
 * @mergeModuleWith <project>
 */
export { GradstreamError, type ErrorCode } from '@gradstream/tensor';
export type { AnyOpPlugin, BackwardContext, EmitContext, EmittedSource, ForwardContext, GradcheckCase, JsonSchema, OpPlugin, ParamDecl } from './contract/op-plugin.js';
export { defineComposite, type CompositeDefinition } from './contract/composite.js';
export { defineOp, expectRows, expectSameShape, shapeError, type OpDefinition } from './contract/define-op.js';
export { Registry, createRegistry, defaultRegistry, type RegistryOptions } from './contract/registry.js';
export { formatSchemaErrors, problemLines, type SchemaProblem } from './contract/schema-errors.js';
export { INPUT, SPEC_VERSION, TARGET, type LayerSpec, type ModelSpec } from './model/spec.js';
export { GraphNode } from './model/node.js';
export { Model, buildModel, sequential, type BuildOptions, type ParamRef } from './model/model.js';
export { Plan } from './exec/plan.js';
export { Tape, localGradients, runNode, type RunOptions, type TapeEntry, type TapeGradients } from './exec/tape.js';
export { modelOperator, nodeOperator, type Batch, type ForwardResult } from './exec/operators.js';
export { checkGradients, gradcheck, type CheckGradientsOptions, type GradcheckEntry, type GradcheckOptions, type GradcheckReport, type GradientReport } from './check/gradcheck.js';
export { SourceBindings } from './exec/node-source.js';
export { checkSource, type CheckSourceOptions, type SourceMismatch, type SourceReport } from './check/source-check.js';
export { specSchema } from './model/spec-schema.js';
export { fromSpec, toSpec, validateSpec } from './io/spec-io.js';
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
} from './io/checkpoint.js';
export type { JsonValue } from './io/json.js';
