import { sagaStep } from '../../../platform/saga-step';
import { parseDunningState } from '../dunning-state';
import { restoreEntitlement } from '../dunning-steps';
import { dunningPortsFromEnv } from '../dunning-wiring';

const portsFor = dunningPortsFromEnv();

/** Dunning saga step "restoreEntitlement" (functions/sagas/dunning/dunning-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseDunningState,
  run: (state) => restoreEntitlement(state, portsFor(state)),
});
