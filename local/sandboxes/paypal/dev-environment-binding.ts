import type { ProviderApi, ProviderSandboxBinding } from '../../dev-environment/provider-sandboxes';
import { SANDBOX_PAYPAL_CLIENT_ID, SANDBOX_PAYPAL_CLIENT_SECRET, startPaypalSandbox } from './server';

/**
 * PayPal in the dev environment: the flows read this sandbox (`PAYPAL_API_URL`) with its client credentials, and
 * the ingest fetches the sandbox's signing certificate — its origin is added to the certificate origins, which only
 * the local stage allows. Webhooks are signed with the sandbox's own key pair (`webhookHeaders`), for the webhook id
 * of the stage. There is no signing secret to seed: PayPal signs with a certificate, not a shared secret.
 */
export const PAYPAL_SANDBOX_BINDING: ProviderSandboxBinding = {
  route: 'paypal',
  name: 'PayPal',
  // local/sandboxes/paypal/main.ts's port, next to stripe-mock's 12111.
  developmentPort: 12112,
  // PayPal's money lands in a bank journal of its own: the one the stage routes `paypal` to (lib/config/stages.ts).
  odooJournals(config) {
    const route = config.billing.companies.find((candidate) => candidate.source === 'paypal');
    return route === undefined ? [] : [{ id: route.bankJournalId, name: 'PayPal', code: 'PYPL', type: 'bank' }];
  },
  async startApi({ config, port, realApiFrom }): Promise<Omit<ProviderApi, 'providerName'>> {
    if (config.paypal === undefined) {
      // A stage without PayPal has no PayPal ingest nor reads: nothing to serve.
      return { description: 'PayPal: not configured in this stage', secretOverrides: {}, functionEnvironment: {}, sandboxUrl: undefined, close: async () => undefined };
    }
    const real = realPaypalFrom(realApiFrom);
    if (real !== undefined) {
      return {
        description: `${real.apiUrl} (client ${real.clientId} from PAYPAL_CLIENT_ID, secret kept in memory; webhooks verified for webhook id ${real.webhookId} with PayPal's own certificates)`,
        secretOverrides: { [config.paypal.apiCredentialsSecretName]: JSON.stringify({ clientId: real.clientId, clientSecret: real.clientSecret }) },
        // PayPal's webhooks name our subscription's id; their certificates come from PayPal's hosts only (no local origin).
        functionEnvironment: { PAYPAL_API_URL: real.apiUrl, PAYPAL_WEBHOOK_ID: real.webhookId, PAYPAL_CERTIFICATE_ORIGINS: '' },
        sandboxUrl: undefined,
        close: async () => undefined,
      };
    }
    const sandbox = await startPaypalSandbox({ ...(port === undefined ? {} : { port }), webhookId: config.paypal.webhookId });
    return {
      description: `PayPal sandbox ${sandbox.url} (client ${SANDBOX_PAYPAL_CLIENT_ID}, webhook id ${sandbox.webhookId}, certificate ${sandbox.certUrl}; objects in memory, seed with POST ${sandbox.url}/_sandbox/objects)`,
      secretOverrides: { [config.paypal.apiCredentialsSecretName]: JSON.stringify({ clientId: SANDBOX_PAYPAL_CLIENT_ID, clientSecret: SANDBOX_PAYPAL_CLIENT_SECRET }) },
      // The port is a free one outside `npm start`: the functions are told the one the sandbox listens on.
      functionEnvironment: { PAYPAL_API_URL: sandbox.url, PAYPAL_CERTIFICATE_ORIGINS: sandbox.certificateOrigin },
      sandboxUrl: sandbox.url,
      webhookHeaders: (rawBody, options) => sandbox.signedHeaders(rawBody, options?.transmittedAt === undefined ? {} : { transmissionTime: options.transmittedAt }),
      close: () => sandbox.close(),
    };
  },
};

/**
 * PayPal's own API (its sandbox, api-m.sandbox.paypal.com, unless `PAYPAL_API_URL` says otherwise) when
 * `PAYPAL_CLIENT_ID`, `PAYPAL_CLIENT_SECRET` and `PAYPAL_WEBHOOK_ID` (the webhook subscription PayPal delivers to,
 * e.g. through a tunnel to `npm start`) are all set; undefined for this sandbox. Half a set is an error, not a
 * silent fallback to the sandbox.
 */
export function realPaypalFrom(env: NodeJS.ProcessEnv | undefined): { clientId: string; clientSecret: string; webhookId: string; apiUrl: string } | undefined {
  const names = ['PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET', 'PAYPAL_WEBHOOK_ID'] as const;
  const given = names.filter((name) => env?.[name]);
  if (given.length === 0) return undefined;
  if (given.length < names.length) throw new Error(`a real PayPal API needs ${names.join(', ')}; missing: ${names.filter((name) => !env?.[name]).join(', ')}`);
  return { clientId: env!.PAYPAL_CLIENT_ID!, clientSecret: env!.PAYPAL_CLIENT_SECRET!, webhookId: env!.PAYPAL_WEBHOOK_ID!, apiUrl: env!.PAYPAL_API_URL || 'https://api-m.sandbox.paypal.com' };
}
