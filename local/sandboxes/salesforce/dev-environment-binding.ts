import type { ProviderApi, ProviderSandboxBinding } from '../../dev-environment/provider-sandboxes';
import { createEventRelay } from './event-relay';
import { SANDBOX_SALESFORCE_CLIENT_ID, SANDBOX_SALESFORCE_CLIENT_SECRET, startSalesforceSandbox } from './server';

/**
 * Salesforce in the dev environment: the ingest reads this sandbox (`SALESFORCE_INSTANCE_URL`) with the connected
 * app's client credentials, which the sandbox holds (served from memory: the sandbox plays Salesforce, so it holds
 * Salesforce's side of them), and the sandbox's relay puts every change on the stack's partner event bus once the
 * stack runs (`connectStack`). No webhook: `route` is the source system.
 */
export const SALESFORCE_SANDBOX_BINDING: ProviderSandboxBinding = {
  route: 'salesforce',
  name: 'Salesforce',
  // local/sandboxes/salesforce/main.ts's port, next to the HubSpot sandbox's 12113.
  developmentPort: 12114,
  async startApi({ config, port }): Promise<Omit<ProviderApi, 'providerName'>> {
    if (config.salesforce === undefined) {
      return { description: 'Salesforce: not configured in this stage', secretOverrides: {}, functionEnvironment: {}, sandboxUrl: undefined, close: async () => undefined };
    }
    const { salesforce } = config;
    const relay = createEventRelay({ partnerEventSource: salesforce.partnerEventSource });
    const sandbox = await startSalesforceSandbox({
      ...(port === undefined ? {} : { port }),
      orgId: salesforce.partnerEventSource.split('/')[2]!,
      onChange: (payload) => relay.relay(payload),
    });
    return {
      description: `Salesforce sandbox ${sandbox.url} (org ${sandbox.orgId}, client ${SANDBOX_SALESFORCE_CLIENT_ID}; changes relayed to ${salesforce.partnerEventSource}; records in memory, create with POST ${sandbox.url}/_sandbox/records)`,
      secretOverrides: { [salesforce.credentialsSecretName]: JSON.stringify({ clientId: SANDBOX_SALESFORCE_CLIENT_ID, clientSecret: SANDBOX_SALESFORCE_CLIENT_SECRET }) },
      // The port is a free one outside `npm start`: the functions are told the one the sandbox listens on.
      functionEnvironment: { SALESFORCE_INSTANCE_URL: sandbox.url },
      sandboxUrl: sandbox.url,
      connectStack: (stack) => {
        relay.connect(stack);
        return undefined;
      },
      close: () => sandbox.close(),
    };
  },
};
