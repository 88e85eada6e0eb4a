import { sagaStep } from '../../../platform/saga-step';
import { parseOnboardingState } from '../onboarding-state';
import { revokeEntitlement } from '../onboarding-steps';
import { onboardingPortsPerRun } from '../onboarding-wiring';

const portsFor = onboardingPortsPerRun();

/** Onboarding saga compensation "RevokeEntitlement" (functions/sagas/onboarding/onboarding-steps.ts). Wiring only. */
export const handler = sagaStep({
  parse: parseOnboardingState,
  run: (state) => revokeEntitlement(state, portsFor(state)),
});
