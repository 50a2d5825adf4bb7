import { setRegistrationCheck } from '../contract/registry.js';
import { checkGradients } from './gradcheck.js';

/**
 * Plugs the gradient checker into registries made with `checkGradients` (see
 * `RegistryOptions.checkGradients`): the registry calls this hook rather than importing the
 * checker, so the runtime path never depends on development code.
 */
export function installDevelopmentChecks(): void {
  setRegistrationCheck((plugin, registry) => checkGradients(plugin, { registry }).assert());
}
