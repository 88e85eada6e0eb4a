import { sagaStep } from '../../../platform/saga-step';
import { parseOnboardingState } from '../onboarding-state';
import { verifyContract } from '../onboarding-steps';
import { onboardingPortsPerRun } from '../onboarding-wiring';

const portsFor = onboardingPortsPerRun();

/** Onboarding saga step "VerifyContract" (functions/sagas/onboarding/onboarding-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseOnboardingState,
  run: (state) => verifyContract(state, portsFor(state)),
});
