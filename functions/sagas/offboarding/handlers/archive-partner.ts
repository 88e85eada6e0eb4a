import { sagaStep } from '../../../platform/saga-step';
import { parseOffboardingState } from '../offboarding-state';
import { archivePartner } from '../offboarding-steps';
import { offboardingPortsFromEnv } from '../offboarding-wiring';

const ports = offboardingPortsFromEnv();

/** Offboarding saga step "archivePartner" (functions/sagas/offboarding/offboarding-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseOffboardingState,
  run: (state) => archivePartner(state, ports),
});
