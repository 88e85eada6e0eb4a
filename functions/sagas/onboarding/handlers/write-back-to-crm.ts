import { sagaStep } from '../../../platform/saga-step';
import { parseOnboardingState } from '../onboarding-state';
import { writeBackToCrm } from '../onboarding-steps';
import { onboardingPortsPerRun } from '../onboarding-wiring';

const portsFor = onboardingPortsPerRun();

/** Onboarding saga step "WriteBackToCrm" (functions/sagas/onboarding/onboarding-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseOnboardingState,
  run: (state) => writeBackToCrm(state, portsFor(state)),
});
