import { sagaStep } from '../../../platform/saga-step';
import { parseAmendmentState } from '../amendment-state';
import { verifyContractAmended } from '../amendment-steps';
import { amendmentPortsFromEnv } from '../amendment-wiring';

const ports = amendmentPortsFromEnv();

/** Amendment saga step "verifyContractAmended" (functions/sagas/amendment/amendment-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseAmendmentState,
  run: (state) => verifyContractAmended(state, ports),
});
