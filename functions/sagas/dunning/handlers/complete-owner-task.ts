import { sagaStep } from '../../../platform/saga-step';
import { parseDunningState } from '../dunning-state';
import { completeOwnerTask } from '../dunning-steps';
import { dunningPortsFromEnv } from '../dunning-wiring';

const portsFor = dunningPortsFromEnv();

/** Dunning saga step "completeOwnerTask" (functions/sagas/dunning/dunning-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseDunningState,
  run: (state) => completeOwnerTask(state, portsFor(state)),
});
