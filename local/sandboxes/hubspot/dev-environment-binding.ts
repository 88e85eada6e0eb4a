import type { ProviderApi, ProviderSandboxBinding } from '../../dev-environment/provider-sandboxes';
import { SANDBOX_HUBSPOT_ACCESS_TOKEN, SANDBOX_HUBSPOT_APP_SECRET, startHubspotSandbox } from './server';

/**
 * HubSpot in the dev environment: the ingest reads this sandbox (`HUBSPOT_API_URL`) with its private-app token, and
 * the sandbox signs webhooks with its app secret for the stage's webhook URL (`webhookHeaders`). Both secrets are the
 * sandbox's and served from memory (`secretOverrides`): the sandbox plays HubSpot, so it holds HubSpot's side of them.
 * The stack's own writes come back to its webhook route as change events (`connectStack`).
 */
export const HUBSPOT_SANDBOX_BINDING: ProviderSandboxBinding = {
  route: 'hubspot',
  name: 'HubSpot',
  // local/sandboxes/hubspot/main.ts's port, next to the PayPal sandbox's 12112.
  developmentPort: 12113,
  async startApi({ config, port }): Promise<Omit<ProviderApi, 'providerName'>> {
    if (config.hubspot === undefined) {
      // A stage without HubSpot has no HubSpot ingest: nothing to serve.
      return { description: 'HubSpot: not configured in this stage', secretOverrides: {}, functionEnvironment: {}, sandboxUrl: undefined, close: async () => undefined };
    }
    const { hubspot } = config;
    const sandbox = await startHubspotSandbox({
      ...(port === undefined ? {} : { port }),
      portalId: hubspot.portalId,
      appId: hubspot.appId,
      ...(hubspot.webhookUrl === undefined ? {} : { webhookUrl: hubspot.webhookUrl }),
    });
    return {
      description: `HubSpot sandbox ${sandbox.url} (portal ${sandbox.portalId}, token ${SANDBOX_HUBSPOT_ACCESS_TOKEN}, webhooks signed for ${sandbox.webhookUrl}; records in memory, seed with POST ${sandbox.url}/_sandbox/objects)`,
      secretOverrides: { [hubspot.appSecretName]: SANDBOX_HUBSPOT_APP_SECRET, [hubspot.accessTokenSecretName]: SANDBOX_HUBSPOT_ACCESS_TOKEN },
      // The port is a free one outside `npm start`: the functions are told the one the sandbox listens on.
      functionEnvironment: { HUBSPOT_API_URL: sandbox.url },
      sandboxUrl: sandbox.url,
      webhookHeaders: (rawBody, options) => sandbox.signedHeaders(rawBody, options?.transmittedAt === undefined ? {} : { timestamp: options.transmittedAt.getTime() }),
      // The stack's writes (the CRM write-back, the sagas' notes and tasks) come back as HubSpot reports them: a
      // signed propertyChange webhook with our app's id, which the ingest drops.
      connectStack: (stack) => sandbox.sendChangeEventsTo(`${stack.url}/webhooks/hubspot`),
      close: () => sandbox.close(),
    };
  },
};
