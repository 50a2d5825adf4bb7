/**
 * The op plugin contract and registry, models as graphs of nodes, the one executor and the
 * compiled plans built on it, the tape, nodes as RxJS operators, specs and checkpoints, and
 * gradient checking.
 *
 * @packageDocumentation
 * @mergeModuleWith <project>
 */
// Node's entry adds what a browser build leaves to the page (it takes core.ts, see package.json
// `exports`): the 'wasm' backend, registered so that models choose it by default, and ajv as the
// compiler of custom ops' schemas.
import '@gradstream/backend-wasm';
import { ajvCompiler } from './contract/ajv-compiler.js';
import { setSchemaCompiler } from './contract/config-validator.js';

export * from './core.js';

setSchemaCompiler(ajvCompiler());
