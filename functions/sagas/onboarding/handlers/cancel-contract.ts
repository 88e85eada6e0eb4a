import { sagaStep } from '../../../platform/saga-step';
import { parseOnboardingState } from '../onboarding-state';
import { cancelContract } from '../onboarding-steps';
import { onboardingPortsFromEnv } from '../onboarding-wiring';

const ports = onboardingPortsFromEnv();

/** Onboarding saga compensation "CancelContract" (functions/sagas/onboarding/onboarding-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseOnboardingState,
  run: (state) => cancelContract(state, ports),
});
