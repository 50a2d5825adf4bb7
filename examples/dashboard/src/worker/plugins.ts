import { defaultRegistry } from '@gradstream/graph';
import { swishOp } from '@gradstream/example-custom-layer/swish';

/*
 * Ops of our own, offered after each hidden layer beside the built-in ones: whatever is registered
 * in the default registry before the worker answers the page is found (see network.ts,
 * hiddenOps). To add one, define it with defineOp (as examples/custom-layer does) and register it
 * here.
 */
if (!defaultRegistry.has(swishOp.name)) defaultRegistry.register(swishOp);
