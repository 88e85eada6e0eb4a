import { sagaStep } from '../../../platform/saga-step';
import { parseOffboardingState } from '../offboarding-state';
import { recogniseEnd } from '../offboarding-steps';
import { offboardingPortsFromEnv } from '../offboarding-wiring';

const ports = offboardingPortsFromEnv();

/** Offboarding saga step "recogniseEnd" (functions/sagas/offboarding/offboarding-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseOffboardingState,
  run: (state) => recogniseEnd(state, ports),
});
