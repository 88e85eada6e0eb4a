import type { ProviderApi, ProviderSandboxBinding } from '../../dev-environment/provider-sandboxes';
import { SANDBOX_STRIPE_API_KEY, startStripeSandbox } from './server';

/**
 * Stripe in the dev environment: the local ingest verifies with a development signing secret, and the flows
 * and reconciliation read this sandbox (`STRIPE_API_URL`) — or Stripe's own API when `STRIPE_API_KEY` names a
 * real test-mode key.
 */
export const STRIPE_SANDBOX_BINDING: ProviderSandboxBinding = {
  route: 'stripe',
  name: 'Stripe',
  developmentSigningSecret: 'whsec_local_development_only_0000000000',
  // stripe-mock's port, which Stripe's client tooling expects of a local Stripe.
  developmentPort: 12111,
  signingSecretSeeds: (config, signingSecret) => ({ [config.stripe.webhookSecretName]: signingSecret }),
  async startApi({ config, dataDir, port, realApiFrom }): Promise<Omit<ProviderApi, 'providerName'>> {
    const realKey = realApiFrom?.STRIPE_API_KEY;
    if (realKey) {
      return {
        description: 'api.stripe.com (API key from STRIPE_API_KEY, kept in memory)',
        secretOverrides: { [config.stripe.apiKeySecretName]: realKey },
        functionEnvironment: {},
        sandboxUrl: undefined,
        close: async () => undefined,
      };
    }
    const sandbox = await startStripeSandbox({ ...(port === undefined ? {} : { port }), ...(dataDir === undefined ? {} : { dataDir }) });
    return {
      description: `Stripe sandbox ${sandbox.url} (API key ${SANDBOX_STRIPE_API_KEY}; seed with POST ${sandbox.url}/_sandbox/objects${dataDir === undefined ? '' : `; data in ${dataDir}`})`,
      secretOverrides: { [config.stripe.apiKeySecretName]: SANDBOX_STRIPE_API_KEY },
      functionEnvironment: { STRIPE_API_URL: sandbox.url },
      sandboxUrl: sandbox.url,
      close: () => sandbox.close(),
    };
  },
};
