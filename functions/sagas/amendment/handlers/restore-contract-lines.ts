import { sagaStep } from '../../../platform/saga-step';
import { parseAmendmentState } from '../amendment-state';
import { restoreContractLines } from '../amendment-steps';
import { amendmentPortsFromEnv } from '../amendment-wiring';

const ports = amendmentPortsFromEnv();

/** Amendment saga step "restoreContractLines" (functions/sagas/amendment/amendment-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseAmendmentState,
  run: (state) => restoreContractLines(state, ports),
});
