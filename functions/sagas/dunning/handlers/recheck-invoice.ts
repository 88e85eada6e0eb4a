import { sagaStep } from '../../../platform/saga-step';
import { parseDunningState } from '../dunning-state';
import { recheckInvoice } from '../dunning-steps';
import { dunningPortsFromEnv } from '../dunning-wiring';

const portsFor = dunningPortsFromEnv();

/** Dunning saga step "recheckInvoice" (functions/sagas/dunning/dunning-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseDunningState,
  run: (state) => recheckInvoice(state, portsFor(state)),
  // A read whose answer changes between the check loop's turns: never replayed from a record.
  once: false,
});
