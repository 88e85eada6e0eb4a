import type { ProviderApi, ProviderSandboxBinding } from '../../dev-environment/provider-sandboxes';
import { SANDBOX_ZENDESK_API_EMAIL, SANDBOX_ZENDESK_API_TOKEN, SANDBOX_ZENDESK_SIGNING_SECRET, startZendeskSandbox } from './server';

/**
 * Zendesk in the dev environment: the support flows write to this sandbox (`ZENDESK_URL`) with its API token, and the
 * sandbox signs its event-subscription deliveries with its signing secret (`webhookHeaders`), sending them to the running
 * stack's `POST /webhooks/zendesk` (subscribed at each start: `connectStack`). Both secrets are the
 * sandbox's and served from memory (`secretOverrides`): the sandbox plays Zendesk, so it holds Zendesk's side of them.
 */
export const ZENDESK_SANDBOX_BINDING: ProviderSandboxBinding = {
  route: 'zendesk',
  name: 'Zendesk',
  // local/sandboxes/zendesk/main.ts's port, next to the Salesforce sandbox's 12114.
  developmentPort: 12115,
  async startApi({ config, port }): Promise<Omit<ProviderApi, 'providerName'>> {
    if (config.zendesk === undefined) {
      return { description: 'Zendesk: not configured in this stage', secretOverrides: {}, functionEnvironment: {}, sandboxUrl: undefined, close: async () => undefined };
    }
    const { zendesk } = config;
    // Its records are in memory, the stack's state (a ticket's effects, an organization's customer link) is in .local
    // across restarts: ids counted from the start time (a thousand a second) are never ones an earlier start gave.
    const idOffset = Math.floor((Date.now() - Date.UTC(2026, 0, 1)) / 1000) * 1000;
    const sandbox = await startZendeskSandbox({ ...(port === undefined ? {} : { port }), apiUserId: zendesk.apiUserId, idOffset });
    return {
      description: `Zendesk sandbox ${sandbox.url} (API user ${sandbox.apiUserId}, ${SANDBOX_ZENDESK_API_EMAIL}; organizations and tickets in memory, open tickets with POST ${sandbox.url}/_sandbox/tickets)`,
      secretOverrides: {
        [zendesk.apiCredentialsSecretName]: JSON.stringify({ email: SANDBOX_ZENDESK_API_EMAIL, apiToken: SANDBOX_ZENDESK_API_TOKEN }),
        [zendesk.webhookSigningSecretName]: SANDBOX_ZENDESK_SIGNING_SECRET,
      },
      // The port is a free one outside `npm start`: the functions are told the one the sandbox listens on.
      functionEnvironment: { ZENDESK_URL: sandbox.url },
      sandboxUrl: sandbox.url,
      webhookHeaders: (rawBody, options) => sandbox.signedHeaders(rawBody, options?.transmittedAt === undefined ? {} : { timestamp: options.transmittedAt }),
      // Zendesk's event subscription is set up once in Zendesk's admin center; here the sandbox is subscribed to the
      // running stack's webhook at each start (a restart outside npm start has another port).
      connectStack: ({ webhookUrl }) => {
        sandbox.subscribe(webhookUrl);
        return `ticket events (event subscription, signed) → POST ${webhookUrl}`;
      },
      close: () => sandbox.close(),
    };
  },
};
