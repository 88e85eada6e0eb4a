import { sagaStep } from '../../../platform/saga-step';
import { parseOnboardingState } from '../onboarding-state';
import { cancelSubscription } from '../onboarding-steps';
import { onboardingPortsPerRun } from '../onboarding-wiring';

const portsFor = onboardingPortsPerRun();

/** Onboarding saga compensation "CancelSubscription" (functions/sagas/onboarding/onboarding-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseOnboardingState,
  run: (state) => cancelSubscription(state, portsFor(state)),
});
