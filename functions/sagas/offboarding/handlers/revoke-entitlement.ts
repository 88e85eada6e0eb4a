import { sagaStep } from '../../../platform/saga-step';
import { parseOffboardingState } from '../offboarding-state';
import { revokeEntitlement } from '../offboarding-steps';
import { offboardingPortsFromEnv } from '../offboarding-wiring';

const ports = offboardingPortsFromEnv();

/** Offboarding saga step "revokeEntitlement" (functions/sagas/offboarding/offboarding-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseOffboardingState,
  run: (state) => revokeEntitlement(state, ports),
});
