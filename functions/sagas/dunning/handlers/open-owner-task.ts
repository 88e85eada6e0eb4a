import { sagaStep } from '../../../platform/saga-step';
import { parseDunningState } from '../dunning-state';
import { openOwnerTask } from '../dunning-steps';
import { dunningPortsFromEnv } from '../dunning-wiring';

const portsFor = dunningPortsFromEnv();

/** Dunning saga step "openOwnerTask" (functions/sagas/dunning/dunning-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseDunningState,
  run: (state) => openOwnerTask(state, portsFor(state)),
});
