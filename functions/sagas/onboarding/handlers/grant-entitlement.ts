import { sagaStep } from '../../../platform/saga-step';
import { parseOnboardingState } from '../onboarding-state';
import { grantEntitlement } from '../onboarding-steps';
import { onboardingPortsPerRun } from '../onboarding-wiring';

const portsFor = onboardingPortsPerRun();

/** Onboarding saga step "GrantEntitlement" (functions/sagas/onboarding/onboarding-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseOnboardingState,
  run: (state) => grantEntitlement(state, portsFor(state)),
});
