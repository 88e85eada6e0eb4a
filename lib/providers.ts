import { HUBSPOT_WRITE_BACK_DEFAULTS, SALESFORCE_WRITE_BACK_DEFAULTS, type StageConfig } from './config/stages';

/** A Secrets Manager secret a provider's functions read by name (the stack never holds its value). */
export interface ProviderSecret {
  /** Construct id of the imported secret (`StripeWebhookSecret`): kept stable, the IAM policies' ids derive from it. */
  readonly id: string;
  /** The variable that tells the function the secret's name. */
  readonly environmentVariable: string;
  readonly secretName: (config: StageConfig) => string;
}

/**
 * One row per provider: what the stack needs to know of it. Everything else about a provider is in its
 * module (functions/providers/<system>/) and its stage settings (lib/config/stages.ts).
 */
export interface ProviderRow {
  /** The webhook route (`POST /webhooks/<route>`), which is also the source system of its canonical events. */
  readonly route: string;
  /** `Stripe`: the prefix of its constructs (`StripeIngest`) and of its metrics (`StripeWebhook<Outcome>`). */
  readonly name: string;
  /** The webhook handler, relative to functions/. */
  readonly ingestEntry: string;
  /** What only the webhook ingest reads: a signing secret, or the API token of an ingest that reads records itself. */
  readonly ingestSecrets: readonly ProviderSecret[];
  /**
   * Non-secret settings of the ingest, by variable (e.g. a webhook id the signature covers). `endpoint.webhookUrl`
   * is the URL the stack serves the provider's route at, for a provider whose signature covers the URL it called.
   */
  readonly ingestEnvironment?: (config: StageConfig, endpoint: { readonly webhookUrl: string }) => Readonly<Record<string, string>>;
  /** The read API's credentials: the flows that fetch what an event depends on and the reconciliation read them. */
  readonly apiSecrets: readonly ProviderSecret[];
  /** Non-secret settings of the read API, by variable, on the functions that read it (billing-sync, the reconciliation; e.g. which API host). */
  readonly apiEnvironment?: (config: StageConfig) => Readonly<Record<string, string>>;
  /**
   * Whether the stage runs this provider (it has the provider's settings). A stage that does not gets no route,
   * no ingest and no secret of it, and its flows are not told of it.
   */
  readonly configuredIn: (config: StageConfig) => boolean;
  /**
   * A support desk (its API is what the support flows write to): its API secrets and settings go to those flows,
   * and to no billing flow; a billing provider's go to billing-sync and the reconciliation, and to no support flow.
   */
  readonly supportDesk?: true;
  /** A CRM the integration writes back to: what its workspace reads (functions/providers/crm-workspaces.ts). */
  readonly crmWorkspace?: CrmWorkspaceAccess;
}

/**
 * What the functions that write to a CRM (the write-back at the end of the CRM and customer flows, the sagas' CRM
 * steps) read: its API credentials and settings. Granted to those functions only.
 */
export interface CrmWorkspaceAccess {
  readonly secrets: readonly ProviderSecret[];
  readonly environment: (config: StageConfig) => Readonly<Record<string, string>>;
}

/** The settings of a provider whose row is only used where `configuredIn` said yes. */
function required<T>(settings: T | undefined, provider: string): T {
  if (settings === undefined) throw new Error(`the stage has no ${provider} settings (lib/config/stages.ts)`);
  return settings;
}

export const PROVIDERS: readonly ProviderRow[] = [
  {
    route: 'stripe',
    name: 'Stripe',
    ingestEntry: 'providers/stripe/webhook-handler.ts',
    ingestSecrets: [{ id: 'StripeWebhookSecret', environmentVariable: 'STRIPE_WEBHOOK_SECRET_NAME', secretName: (config) => config.stripe.webhookSecretName }],
    apiSecrets: [{ id: 'StripeApiKey', environmentVariable: 'STRIPE_API_KEY_SECRET_NAME', secretName: (config) => config.stripe.apiKeySecretName }],
    configuredIn: () => true,
  },
  {
    route: 'paypal',
    name: 'PayPal',
    ingestEntry: 'providers/paypal/webhook-handler.ts',
    // PayPal signs with its certificate, fetched by URL: nothing secret to verify with, the webhook id is configuration.
    ingestSecrets: [],
    ingestEnvironment: (config): Record<string, string> => {
      const paypal = required(config.paypal, 'PayPal');
      return {
        PAYPAL_WEBHOOK_ID: paypal.webhookId,
        ...(paypal.certificateOrigins === undefined ? {} : { PAYPAL_CERTIFICATE_ORIGINS: paypal.certificateOrigins.join(',') }),
      };
    },
    apiSecrets: [
      { id: 'PaypalApiCredentials', environmentVariable: 'PAYPAL_API_CREDENTIALS_SECRET_NAME', secretName: (config) => required(config.paypal, 'PayPal').apiCredentialsSecretName },
    ],
    apiEnvironment: (config): Record<string, string> => {
      const { apiUrl } = required(config.paypal, 'PayPal');
      return apiUrl === undefined ? {} : { PAYPAL_API_URL: apiUrl };
    },
    configuredIn: (config) => config.paypal !== undefined,
  },
  {
    route: 'hubspot',
    name: 'HubSpot',
    ingestEntry: 'providers/hubspot/webhook-handler.ts',
    // HubSpot's events are thin: the ingest reads the records (one batch read per body), so it holds both the app
    // secret (the signature) and the private app's token (the reads); no flow reads HubSpot.
    ingestSecrets: [
      { id: 'HubspotAppSecret', environmentVariable: 'HUBSPOT_APP_SECRET_NAME', secretName: (config) => required(config.hubspot, 'HubSpot').appSecretName },
      { id: 'HubspotAccessToken', environmentVariable: 'HUBSPOT_ACCESS_TOKEN_SECRET_NAME', secretName: (config) => required(config.hubspot, 'HubSpot').accessTokenSecretName },
    ],
    ingestEnvironment: (config, endpoint): Record<string, string> => {
      const hubspot = required(config.hubspot, 'HubSpot');
      return {
        // What HubSpot signs is the URL it calls: the configured one (a custom domain), else the stack's own.
        HUBSPOT_WEBHOOK_URL: hubspot.webhookUrl ?? endpoint.webhookUrl,
        HUBSPOT_PORTAL_ID: hubspot.portalId,
        HUBSPOT_APP_ID: hubspot.appId,
        HUBSPOT_COMPANY_CURRENCY: hubspot.companyCurrency,
        HUBSPOT_REQUESTS_PER_10_SECONDS: String(hubspot.requestsPer10Seconds),
        ...(hubspot.apiUrl === undefined ? {} : { HUBSPOT_API_URL: hubspot.apiUrl }),
      };
    },
    apiSecrets: [],
    configuredIn: (config) => config.hubspot !== undefined,
    // The write-back and the sagas write with the same private app: its writes come back with our app id, dropped.
    crmWorkspace: {
      secrets: [{ id: 'HubspotAccessToken', environmentVariable: 'HUBSPOT_ACCESS_TOKEN_SECRET_NAME', secretName: (config) => required(config.hubspot, 'HubSpot').accessTokenSecretName }],
      environment: (config): Record<string, string> => {
        const hubspot = required(config.hubspot, 'HubSpot');
        return {
          HUBSPOT_REQUESTS_PER_10_SECONDS: String(hubspot.requestsPer10Seconds),
          HUBSPOT_CRM_WRITE_BACK: JSON.stringify(hubspot.writeBack ?? HUBSPOT_WRITE_BACK_DEFAULTS),
          ...(hubspot.apiUrl === undefined ? {} : { HUBSPOT_API_URL: hubspot.apiUrl }),
        };
      },
    },
  },
  {
    route: 'zendesk',
    name: 'Zendesk',
    ingestEntry: 'providers/zendesk/webhook-handler.ts',
    // Event subscriptions are signed with the webhook's secret; the ingest reads nothing from Zendesk (the envelope
    // carries the ticket), and drops what our API user caused.
    ingestSecrets: [
      { id: 'ZendeskWebhookSecret', environmentVariable: 'ZENDESK_WEBHOOK_SECRET_NAME', secretName: (config) => required(config.zendesk, 'Zendesk').webhookSigningSecretName },
    ],
    ingestEnvironment: (config): Record<string, string> => ({ ZENDESK_API_USER_ID: required(config.zendesk, 'Zendesk').apiUserId }),
    // The support flows write organizations and tickets with the API user's token.
    apiSecrets: [
      { id: 'ZendeskApiCredentials', environmentVariable: 'ZENDESK_API_CREDENTIALS_SECRET_NAME', secretName: (config) => required(config.zendesk, 'Zendesk').apiCredentialsSecretName },
    ],
    apiEnvironment: (config): Record<string, string> => {
      const zendesk = required(config.zendesk, 'Zendesk');
      return {
        ZENDESK_URL: zendesk.url,
        ZENDESK_REQUESTS_PER_MINUTE: String(zendesk.requestsPerMinute),
        ZENDESK_ORGANIZATION_FIELDS: JSON.stringify(zendesk.organizationFields),
      };
    },
    configuredIn: (config) => config.zendesk !== undefined,
    supportDesk: true,
  },
];

/**
 * A provider whose events arrive on an EventBridge partner event bus (a SaaS's own relay into the account) instead
 * of a webhook: the stack creates the partner bus named after the stage's event source, and a rule to the provider's
 * ingest function. No route, no signature: only the partner can put events on its bus.
 */
export interface PartnerEventProviderRow {
  /** The source system of its canonical events (`salesforce`). */
  readonly system: string;
  /** `Salesforce`: the prefix of its constructs (`SalesforceIngest`). */
  readonly name: string;
  /** The ingest function, relative to functions/. */
  readonly ingestEntry: string;
  /** The partner event source (`aws.partner/…`), which names the partner bus. */
  readonly partnerEventSource: (config: StageConfig) => string;
  /** The `detail-type`s the rule lets through to the ingest (the events the ingest maps). */
  readonly detailTypes: readonly string[];
  readonly ingestSecrets: readonly ProviderSecret[];
  readonly ingestEnvironment: (config: StageConfig) => Readonly<Record<string, string>>;
  readonly configuredIn: (config: StageConfig) => boolean;
  /** A CRM the integration writes back to: what its workspace reads. */
  readonly crmWorkspace?: CrmWorkspaceAccess;
}

export const PARTNER_EVENT_PROVIDERS: readonly PartnerEventProviderRow[] = [
  {
    system: 'salesforce',
    name: 'Salesforce',
    ingestEntry: 'providers/salesforce/ingest-handler.ts',
    partnerEventSource: (config) => required(config.salesforce, 'Salesforce').partnerEventSource,
    // Change Data Capture events through Event Relay: `detail-type` is the change event's name.
    detailTypes: ['AccountChangeEvent', 'ContactChangeEvent', 'OpportunityChangeEvent', 'OpportunityLineItemChangeEvent'],
    // Change events carry changed fields only: the ingest reads the records, so it holds the connected app's credentials.
    ingestSecrets: [
      { id: 'SalesforceClientCredentials', environmentVariable: 'SALESFORCE_CREDENTIALS_SECRET_NAME', secretName: (config) => required(config.salesforce, 'Salesforce').credentialsSecretName },
    ],
    ingestEnvironment: (config): Record<string, string> => {
      const salesforce = required(config.salesforce, 'Salesforce');
      return {
        // aws.partner/salesforce.com/<orgId>/<relayId>: the org every record of the bus lives in.
        SALESFORCE_ORG_ID: salesforce.partnerEventSource.split('/')[2]!,
        SALESFORCE_INSTANCE_URL: salesforce.instanceUrl,
        SALESFORCE_API_VERSION: salesforce.apiVersion,
        SALESFORCE_CLIENT_NAME: salesforce.clientName,
        SALESFORCE_CORPORATE_CURRENCY: salesforce.corporateCurrency,
        SALESFORCE_MULTI_CURRENCY: String(salesforce.multiCurrency),
        // The org's Account fields naming billing customers and the tax id (JSON; none configured: `{"links":{}}`).
        SALESFORCE_ACCOUNT_FIELDS: JSON.stringify({ links: salesforce.accountFields?.links ?? {}, ...(salesforce.accountFields?.taxId === undefined ? {} : { taxId: salesforce.accountFields.taxId }) }),
      };
    },
    configuredIn: (config) => config.salesforce !== undefined,
    // The write-back and the sagas write with the same connected app and client name: their changes come back named, dropped.
    crmWorkspace: {
      secrets: [{ id: 'SalesforceClientCredentials', environmentVariable: 'SALESFORCE_CREDENTIALS_SECRET_NAME', secretName: (config) => required(config.salesforce, 'Salesforce').credentialsSecretName }],
      environment: (config): Record<string, string> => {
        const salesforce = required(config.salesforce, 'Salesforce');
        return {
          SALESFORCE_INSTANCE_URL: salesforce.instanceUrl,
          SALESFORCE_API_VERSION: salesforce.apiVersion,
          SALESFORCE_CLIENT_NAME: salesforce.clientName,
          SALESFORCE_CRM_WRITE_BACK: JSON.stringify(salesforce.writeBack ?? SALESFORCE_WRITE_BACK_DEFAULTS),
        };
      },
    },
  },
];

/** The partner-event providers the stage runs. */
export function configuredPartnerEventProviders(config: StageConfig): PartnerEventProviderRow[] {
  return PARTNER_EVENT_PROVIDERS.filter((provider) => provider.configuredIn(config));
}

/** The providers the stage runs: those with their settings in the stage config. */
export function configuredProviders(config: StageConfig): ProviderRow[] {
  return PROVIDERS.filter((provider) => provider.configuredIn(config));
}

/**
 * The CRMs the stage writes back to, in the order functions/providers/registry.ts lists the systems (the first is the
 * sagas' CRM): by system, what their workspaces read.
 */
export function configuredCrmWorkspaces(config: StageConfig): { system: string; access: CrmWorkspaceAccess }[] {
  const rows = [
    ...configuredProviders(config).map((provider) => ({ system: provider.route, access: provider.crmWorkspace })),
    ...configuredPartnerEventProviders(config).map((provider) => ({ system: provider.system, access: provider.crmWorkspace })),
  ];
  return rows.flatMap(({ system, access }) => (access === undefined ? [] : [{ system, access }]));
}

/** The name of every secret the providers' functions read, for the stack's grants and their nag acknowledgments. */
export function providerSecretNames(config: StageConfig): string[] {
  return [
    ...configuredProviders(config).flatMap((provider) => [...provider.ingestSecrets, ...provider.apiSecrets].map((secret) => secret.secretName(config))),
    ...configuredPartnerEventProviders(config).flatMap((provider) => provider.ingestSecrets.map((secret) => secret.secretName(config))),
  ];
}
