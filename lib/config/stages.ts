import { z } from 'zod';
import { DEFAULT_IDENTITY_CONFIG } from '../../functions/domain/identity-config';

/**
 * Stage configuration: one typed, validated record, chosen with `-c stage=NAME`.
 * Everything that differs between environments lives here and nowhere else.
 */
export const STAGES = ['local', 'dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** A Salesforce field's API name (`VAT_Number__c`): what a read's field list may carry. */
const SALESFORCE_FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

const stageConfigSchema = z.object({
  /** AWS account and region; undefined account = the CLI's current credentials (env-agnostic). */
  env: z.object({ account: z.string().regex(/^\d{12}$/).optional(), region: z.string().min(1) }),
  odoo: z.object({
    url: z.url(),
    database: z.string().min(1),
    login: z.string().min(1),
    /** Name of the Secrets Manager secret holding the Odoo API key (created before deploy). */
    apiKeySecretName: z.string().min(1),
    /** `auto` probes the server version: JSON-2 from Odoo 19, JSON-RPC before. */
    transport: z.enum(['auto', 'jsonrpc', 'json2']),
    /**
     * Odoo's protection, per Lambda container (each concurrent consumer of a flow is one container, so Odoo
     * sees up to `flowConcurrency` × these per flow): sustained HTTP requests per second toward Odoo (the
     * burst is one second's worth), and HTTP requests in flight at once. The bounds keep a typo from
     * turning the limit off (1000/s) or stalling every flow (0).
     */
    maxRequestsPerSecond: z.number().positive().max(100),
    maxConcurrentRequests: z.number().int().min(1).max(16),
    /**
     * Batch-first writes (functions/erp/odoo/call-coalescer.ts): a flow consumer applies its SQS batch's records
     * concurrently, and their Odoo calls of the same kind (partners' `load`, invoices' `create`, `action_post`,
     * `read`) made within `batchWindowMs` of the first become one Odoo call of at most `maxBatchSize` records.
     * The window is latency every lone event pays, so a few milliseconds: the records of one batch reach Odoo
     * within milliseconds of each other. `maxBatchSize: 1` writes record by record.
     */
    batchWindowMs: z.number().int().min(0).max(200),
    maxBatchSize: z.number().int().min(1).max(100),
  }),
  stripe: z.object({
    /** Name of the Secrets Manager secret holding the webhook endpoint's signing secret (`whsec_…`). */
    webhookSecretName: z.string().min(1),
    /**
     * Name of the secret holding a restricted API key with read access (customers, invoices, payments,
     * refunds, credit notes, subscriptions, tax rates): flows fetch a missing dependency and the percentage
     * of a tax rate with it, reconciliation lists with it; and write access to customers and subscriptions, which
     * the onboarding saga creates (and cancels, deletes when it undoes an onboarding).
     */
    apiKeySecretName: z.string().min(1),
  }),
  /**
   * PayPal, when the stage takes PayPal's webhooks (without this section the stage has no PayPal route or
   * function). PayPal signs with a certificate it serves: nothing secret verifies a webhook.
   */
  paypal: z
    .object({
      /** Our webhook's id at PayPal (Developer Dashboard → the app → Webhooks): PayPal signs it with every delivery. */
      webhookId: z.string().min(1),
      /** Name of the secret holding the REST app's credentials, JSON `{ "clientId": …, "clientSecret": … }` (read API). */
      apiCredentialsSecretName: z.string().min(1),
      /** The read API's base URL: unset = PayPal live; `https://api-m.sandbox.paypal.com` for PayPal's sandbox. */
      apiUrl: z.url().optional(),
      /**
       * Origins (`http://127.0.0.1:<port>`) signing certificates may come from besides PayPal's own hosts: the local
       * sandbox's. Refused outside the local stage, so a deployed stack trusts PayPal's certificates only.
       */
      certificateOrigins: z.array(z.url()).min(1).optional(),
    })
    .optional(),
  /**
   * HubSpot (CRM), when the stage takes its webhooks (without this section the stage has no HubSpot route or
   * function). The ingest verifies the app's v3 signature and reads the records the thin events name.
   */
  hubspot: z
    .object({
      /** The HubSpot account (portal, "Hub ID") the stage syncs: events of any other portal are skipped. */
      portalId: z.string().regex(/^\d+$/),
      /** Our app's id: a change it wrote (`sourceId`) comes back as a webhook and is dropped (no write-back loop). */
      appId: z.string().regex(/^\d+$/),
      /** Name of the secret holding the app's client secret, which signs the webhooks (v3). */
      appSecretName: z.string().min(1),
      /** Name of the secret holding the private app's access token (CRM reads: companies, contacts, deals, line items). */
      accessTokenSecretName: z.string().min(1),
      /**
       * The target URL configured in the app's webhook settings, when it is not the stack's own
       * (`https://<api>.execute-api.<region>.amazonaws.com/<stage>/webhooks/hubspot`, the default): a custom domain.
       * HubSpot signs this URL, so it must be exactly what HubSpot calls, and without a query string.
       */
      webhookUrl: z.url().optional(),
      /** The private-app limit of the portal's subscription: 100 (Free, Starter) or 190 (Professional, Enterprise) requests / 10 s. */
      requestsPer10Seconds: z.union([z.literal(100), z.literal(190)]),
      /** The portal's company currency (ISO 4217): a deal without a `deal_currency_code` is in it. */
      companyCurrency: z.string().regex(/^[A-Za-z]{3}$/),
      /** The CRM API's base URL: unset = HubSpot (`https://api.hubapi.com`); the local stage points at its sandbox. */
      apiUrl: z.url().optional(),
      /** The properties the integration writes back (custom properties the portal defines); unset = HUBSPOT_WRITE_BACK_DEFAULTS. */
      writeBack: z
        .object({
          /** Company properties: the Odoo partner id, the billing customer id (read back as an explicit link), the canonical customer id. */
          companyProperties: z.object({ odooPartnerId: z.string().min(1), billingCustomerId: z.string().min(1), customerId: z.string().min(1) }),
          /** Deal properties: the Odoo order id and the billing subscription id. */
          dealProperties: z.object({ odooOrderId: z.string().min(1), billingSubscriptionId: z.string().min(1) }),
          /** HubSpot has no "former customer" lifecycle stage: the stage id a lost customer is set to (a built-in one, or a custom stage's id). */
          formerCustomerLifecycleStage: z.string().min(1),
          /** A custom property of notes and tasks holding our idempotency key (a retried saga step finds its task). */
          activityKeyProperty: z.string().min(1),
        })
        .optional(),
    })
    .optional(),
  /**
   * CRM deals → Odoo quotations (functions/domain/deal-config.ts): the company quotations are made in, and the
   * price mapping `<system>:<CRM product id>` → Odoo product (Internal Reference, or product id) for lines whose
   * SKU is not an Odoo Internal Reference. Absent: the first billing company, products by SKU only.
   */
  deals: z
    .object({
      companyId: z.number().int().positive(),
      products: z.record(z.string().regex(/^[a-z]+:.+$/), z.union([z.string().min(1), z.number().int().positive()])),
    })
    .optional(),
  /**
   * Salesforce (CRM), when the stage takes its Change Data Capture events through Event Relay (without this section
   * the stage has no partner bus, rule or function of it). No webhook, no signature: the partner event bus, which
   * only Salesforce's relay can put events on, is the trust boundary. The ingest reads the records over the REST API.
   */
  salesforce: z
    .object({
      /**
       * The org's partner event source, as the Event Relay config names it: `aws.partner/salesforce.com/<orgId>/<relayId>`.
       * The stack creates the partner event bus of that name (associate the source before deploying).
       */
      partnerEventSource: z.string().regex(/^aws\.partner\/salesforce\.com\/00D[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?\/[a-zA-Z0-9]+$/),
      /** The org's My Domain URL (`https://acme.my.salesforce.com`): the client-credentials token is asked there. */
      instanceUrl: z.url(),
      /** The REST API version of every read (`62.0`). */
      apiVersion: z.string().regex(/^\d+\.\d$/),
      /** Name of the secret holding the connected app's client credentials, JSON `{ "clientId": …, "clientSecret": … }`. */
      credentialsSecretName: z.string().min(1),
      /** The custom fields the integration writes back (the org defines them); unset = SALESFORCE_WRITE_BACK_DEFAULTS. */
      writeBack: z
        .object({
          /** Account fields: the Odoo partner id, the billing customer id, the canonical customer id. */
          account: z.object({ odooPartnerId: z.string().min(1), billingCustomerId: z.string().min(1), customerId: z.string().min(1) }),
          /** Opportunity fields: the Odoo order id and the billing subscription id. */
          opportunity: z.object({ odooOrderId: z.string().min(1), billingSubscriptionId: z.string().min(1) }),
          /** The Account field (a picklist) showing where a company stands as a customer, and its two values. */
          lifecycle: z.object({ field: z.string().min(1), customer: z.string().min(1), formerCustomer: z.string().min(1) }),
          /** An Activity custom field holding our key on the Tasks we make (a retried saga step finds its task). */
          taskKeyField: z.string().min(1),
        })
        .optional(),
      /**
       * The client name our writes send (`Sforce-Call-Options: client=<name>`): Salesforce echoes it in the change's
       * `changeOrigin`, and the ingest drops that change (our own write coming back, no loop).
       */
      clientName: z.string().regex(/^[A-Za-z0-9_.-]+$/),
      /** The org's corporate currency (ISO 4217): every amount of a single-currency org is in it. */
      corporateCurrency: z.string().regex(/^[A-Za-z]{3}$/),
      /** Whether the org has multiple currencies enabled: records then carry `CurrencyIsoCode` (which a single-currency org refuses to read). */
      multiCurrency: z.boolean(),
      /**
       * The org's own Account fields the one-customer resolution reads (standard Accounts hold neither): `links`, each
       * custom field holding the company's customer id in a billing system (`{ "Stripe_Customer_Id__c": "stripe" }`:
       * an explicit link, the strongest evidence); `taxId`, the field holding its VAT / tax id (a match key).
       * Absent: Accounts join billing customers by domain, or by a link the billing customer carries.
       */
      accountFields: z
        .object({
          links: z.record(z.string().regex(SALESFORCE_FIELD_NAME), z.enum(['stripe', 'paypal'])).optional(),
          taxId: z.string().regex(SALESFORCE_FIELD_NAME).optional(),
        })
        .optional(),
    })
    .optional(),
  /**
   * Zendesk (support desk), when the stage pushes entitlements to it and takes its ticket events (without this section
   * the stage has no Zendesk route or function, and entitlements are derived and published without a desk to push to).
   */
  zendesk: z
    .object({
      /** `https://<subdomain>.zendesk.com` (the API and the agent links); the local stage points at its sandbox. */
      url: z.url(),
      /** Name of the secret holding the API user's credentials, JSON `{ "email": …, "apiToken": … }`. */
      apiCredentialsSecretName: z.string().min(1),
      /** Name of the secret holding the event subscription webhook's signing secret. */
      webhookSigningSecretName: z.string().min(1),
      /** The Zendesk user id of our API user: a ticket event it caused (`actor_id`) is our own write, dropped. */
      apiUserId: z.string().regex(/^\d+$/),
      /** The account's API limit by plan (200–700 requests / minute): the client's bucket. */
      requestsPerMinute: z.number().int().min(200).max(700),
      /** The organization field keys (Admin Center → Organization fields) the entitlement is written to. */
      organizationFields: z.object({
        plan: z.string().min(1),
        tier: z.string().min(1),
        standing: z.string().min(1),
        standingSince: z.string().min(1),
        odooPartnerId: z.string().min(1),
        billingCustomerId: z.string().min(1),
        mrr: z.string().min(1),
        watermark: z.string().min(1),
      }),
    })
    .optional(),
  /**
   * Support entitlements and ticket escalation, whatever the desk: the plans (provider price / plan ids) → support
   * tiers (lowest first), and the escalation policy of a new ticket. Validated in full by the support flows' schema
   * (functions/domain/support-policy.ts) at synth time by the tests and at cold start by the functions.
   */
  support: z.object({
    entitlements: z.object({
      tiers: z.array(z.string().min(1)).min(1),
      noneTier: z.string().min(1),
      unmappedTier: z.string().min(1),
      plans: z.array(z.object({ plan: z.string().min(1), tier: z.string().min(1), priceIds: z.array(z.string().min(1)).min(1) })),
    }),
    /** Prefix of the organization tags the integration manages (`saas_tier_premium`): others' tags are kept. */
    tagPrefix: z.string().regex(/^[a-z0-9_]+$/),
    escalation: z.object({
      /** A new ticket of a customer in one of these tiers gets this priority. */
      tierPriorities: z.array(z.object({ tier: z.string().min(1), priority: z.enum(['low', 'normal', 'high', 'urgent']) })),
      /** The tag of a new ticket from a customer past due (or suspended), with an internal note naming the open invoice. */
      pastDueTag: z.string().regex(/^[a-z0-9_]+$/),
    }),
  }),
  /**
   * Where provider billing lands in Odoo: company and journals per source system, provider account and currency
   * (the most specific route wins; README "Company routes"), the Odoo tax of each provider tax (by rate id, name,
   * then percentage; README "Taxes"), account standing tags. Validated in full by the billing flow's schema
   * (functions/domain/billing-config.ts) at synth time by the tests and at cold start by the function.
   */
  billing: z.object({
    /**
     * Company routes: `source` (a source system: `stripe`, `paypal`; `"*"` or absent = any), `account` (null = the
     * platform account, `"*"` = any), `currency` (`"*"` = any). The most specific matching route wins (the one
     * naming the most of the three); two that name as many and can match one document are refused as ambiguous.
     */
    companies: z
      .array(
        z.object({
          source: z.string().optional(),
          account: z.string().nullable(),
          currency: z.string(),
          companyId: z.number(),
          salesJournalId: z.number(),
          bankJournalId: z.number(),
        }),
      )
      .min(1),
    /** A provider tax → Odoo tax: by tax rate id, else by `name` (the provider's tax name), else by `percentage`; `inclusive` must agree. */
    taxes: z.array(
      z.object({
        taxRateId: z.string().optional(),
        name: z.string().optional(),
        percentage: z.string().optional(),
        inclusive: z.boolean(),
        companyId: z.number(),
        odooTaxId: z.number(),
      }),
    ),
    writeOffUncollectible: z.boolean(),
    standingTags: z.object({ pastDue: z.string(), disputed: z.string(), uncollectible: z.string() }),
  }),
  /**
   * Lifecycle sagas (lib/sagas.ts). `stepRetry`: how a step's transient error is retried (exponential backoff from
   * `intervalSeconds`, each wait capped at `maxDelaySeconds`, with full jitter): at least an hour in a deployed stage,
   * like the flows, so an Odoo restart is outlasted; past it the execution fails at the step and can be redriven.
   * `dunning.graceSeconds`: from the failed payment to the suspension of a customer whose invoice is still unpaid;
   * `dunning.recheckSeconds`: how often the invoice is re-checked at its provider meanwhile (a payment ends the wait
   * at the next check). The local stage's are seconds, so a dunning runs end to end while you watch: the same
   * state machine and code with other values.
   */
  sagas: z.object({
    stepRetry: z.object({
      intervalSeconds: z.number().int().min(1),
      backoffRate: z.number().min(1).max(4),
      maxDelaySeconds: z.number().int().min(1),
      maxAttempts: z.number().int().min(1).max(99),
    }),
    dunning: z.object({
      graceSeconds: z.number().int().positive(),
      recheckSeconds: z.number().int().positive(),
      /** The Odoo tag of a suspended customer (beside billing.standingTags.pastDue). */
      suspendedTag: z.string().min(1),
    }),
    /**
     * The onboarding of a won deal (functions/sagas/onboarding/onboarding-config.ts, validated in full at cold start):
     * the billing provider customers are subscribed at (a configured one: `stripe`), how their invoices are collected,
     * and the provider price of each product sold — by the deal line's SKU, else by Odoo product id. A won deal with a
     * line no price is mapped for is undone (its Odoo order cancelled, a note on the CRM deal naming the line).
     */
    onboarding: z.object({
      billingSystem: z.string().min(1),
      collection: z.discriminatedUnion('method', [
        z.object({ method: z.literal('charge_automatically') }),
        z.object({ method: z.literal('send_invoice'), daysUntilDue: z.number().int().positive() }),
      ]),
      prices: z.object({ bySku: z.record(z.string().min(1), z.string().min(1)), byOdooProduct: z.record(z.string().regex(/^\d+$/), z.string().min(1)) }),
    }),
    /**
     * `archivePartner`: whether an offboarding archives the customer's Odoo partner once nothing is left — no plan
     * (the entitlement cancelled) and no open invoice. Off by default: the partner stays, as finance usually wants a
     * former customer findable; Odoo keeps an archived partner's invoices and history either way.
     */
    offboarding: z.object({ archivePartner: z.boolean() }),
  }),
  /** When reconciliation compares the provider with Odoo (EventBridge schedule expression; the day before is checked). */
  reconcileSchedule: z.string().regex(/^(cron|rate)\(.+\)$/),
  /** Upper bound of concurrent consumer invocations per flow, i.e. of concurrent Odoo writers (SQS MaximumConcurrency: 2–1000). */
  flowConcurrency: z.number().int().min(2).max(1000),
  logRetentionDays: z.union([
    z.literal(7), z.literal(14), z.literal(30), z.literal(90), z.literal(180), z.literal(365), z.literal(731),
  ]),
  /** Alarm notifications go to this address (SNS email subscription, confirmed by the recipient). */
  alarmEmail: z.email(),
  /** `retain` keeps tables, queues with messages, logs and the archive when the stack is deleted. */
  removalPolicy: z.enum(['destroy', 'retain']),
  api: z.object({
    /** Steady-state requests per second across the webhook API (API Gateway stage throttling). */
    rateLimit: z.number().int().positive(),
    burstLimit: z.number().int().positive(),
    /**
     * Largest webhook body accepted, in bytes. A canonical event must fit EventBridge's 256 KB entry
     * limit, and Stripe's largest events are well under it.
     */
    maxBodyBytes: z.number().int().positive().max(256 * 1024),
  }),
  /** Days the bus archive keeps events for replay; 0 = forever. */
  archiveRetentionDays: z.number().int().min(0),
  /** Minutes a message may wait in a flow queue before the oldest-message alarm fires. */
  maxMessageAgeMinutes: z.number().int().positive(),
  /**
   * One customer across systems (README "One customer across systems"): the resolution order (`explicitLink`,
   * `taxId`, `domain`), the free-mail domains that are never a match key, which side owns each partner field
   * (`billing`, `crm`, `odoo`), and whether two partners found to be one company are merged or flagged for review.
   * Validated in full by functions/domain/identity-config.ts (at synth time by the tests, at cold start by the flows).
   */
  identity: z.object({
    resolution: z.array(z.enum(['explicitLink', 'taxId', 'domain'])),
    freeMailDomains: z.array(z.string()),
    fieldOwners: z.record(z.string(), z.enum(['billing', 'crm', 'odoo'])),
    onDuplicatePartners: z.enum(['merge', 'review']),
  }),
});

export type StageConfig = z.infer<typeof stageConfigSchema>;

/**
 * The billing mapping of a freshly installed Odoo (community, one company, the default "Customer
 * Invoices" and "Bank" journals, the 15% sale tax): what the Odoo sandbox holds. Replace the ids with
 * those of your database (Accounting → Configuration → Journals / Taxes: the id is in the URL).
 */
const FRESH_ODOO_BILLING: StageConfig['billing'] = {
  // Every source's money in the "Bank" journal: give a provider its own journal with a route naming its `source`
  // (the local stage's PayPal journal below).
  companies: [{ account: '*', currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
  taxes: [{ percentage: '15', inclusive: false, companyId: 1, odooTaxId: 1 }],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed payment', uncollectible: 'Uncollectible' },
};

/** The PayPal bank journal of the Odoo sandbox: the first id after a fresh Odoo's seven journals. */
const PAYPAL_SANDBOX_JOURNAL_ID = 8;

/**
 * The records of a consumer batch (at most 10, the event source's batch size) reach a step milliseconds apart,
 * spread by the client's concurrency bound on their earlier calls: 20 ms gathers them, and costs a lone invoice
 * (3 merged steps) at most 60 ms of its 1.5 s budget from webhook to Odoo. 20 per call leaves room when a
 * container's batches overlap, and keeps one merged call well within the client's timeout.
 */
const ODOO_BATCHING = { batchWindowMs: 20, maxBatchSize: 20 } as const;

/**
 * The Odoo client's own defaults (functions/erp/odoo/odoo-config.ts): 4 requests in flight leave a
 * small Odoo's worker pool (often 2–8 workers) usable by people while the flows write.
 */
const ODOO_PROTECTION = { maxRequestsPerSecond: 10, maxConcurrentRequests: 4, ...ODOO_BATCHING } as const;

/**
 * A step's transient error retried for over an hour: 2, 4, … 256 s, then 300 s waits (jittered), 20 attempts.
 * Dunning: 14 days of grace, the invoice re-checked every 6 hours.
 */
const SAGAS: StageConfig['sagas'] = {
  stepRetry: { intervalSeconds: 2, backoffRate: 2, maxDelaySeconds: 300, maxAttempts: 20 },
  dunning: { graceSeconds: 14 * 24 * 3600, recheckSeconds: 6 * 3600, suspendedTag: 'Suspended' },
  // Replace the SKUs (Odoo Internal References) and price ids with yours, as for the support plans below. A customer
  // won in the CRM gets an invoice with 30 days to pay: it has no payment method at Stripe yet.
  onboarding: {
    billingSystem: 'stripe',
    collection: { method: 'send_invoice', daysUntilDue: 30 },
    prices: { bySku: { STARTER: 'price_starter_monthly', PRO: 'price_pro_monthly' }, byOdooProduct: {} },
  },
  offboarding: { archivePartner: false },
};

/**
 * Plans → support tiers, and the escalation policy: replace the price ids with your provider's (Stripe `price_…`,
 * PayPal plan `P-…`). A live subscription whose price no plan names gets `unmappedTier`.
 */
const SUPPORT_POLICY: StageConfig['support'] = {
  entitlements: {
    tiers: ['none', 'standard', 'premium'],
    noneTier: 'none',
    unmappedTier: 'standard',
    plans: [
      { plan: 'Starter', tier: 'standard', priceIds: ['price_starter_monthly'] },
      { plan: 'Pro', tier: 'premium', priceIds: ['price_pro_monthly', 'price_pro_yearly'] },
    ],
  },
  tagPrefix: 'saas_',
  escalation: { tierPriorities: [{ tier: 'premium', priority: 'high' }], pastDueTag: 'billing_past_due' },
};

/** Organization field keys as the Zendesk account defines them (the local sandbox accepts any). */
const ZENDESK_ORGANIZATION_FIELDS = {
  plan: 'saas_plan',
  tier: 'saas_support_tier',
  standing: 'saas_account_standing',
  standingSince: 'saas_standing_since',
  odooPartnerId: 'saas_odoo_partner_id',
  billingCustomerId: 'saas_billing_customer_id',
  mrr: 'saas_mrr',
  watermark: 'saas_entitlement_watermark',
} as const;

const defaults = {
  env: { region: 'eu-west-1' },
  sagas: SAGAS,
  api: { rateLimit: 50, burstLimit: 100, maxBodyBytes: 256 * 1024 },
  maxMessageAgeMinutes: 15,
  billing: FRESH_ODOO_BILLING,
  identity: DEFAULT_IDENTITY_CONFIG,
  support: SUPPORT_POLICY,
  // 03:00 UTC, after the provider's day is complete.
  reconcileSchedule: 'cron(0 3 * * ? *)',
} as const;

/**
 * What a stage with HubSpot writes back when it names no `hubspot.writeBack`. `stripe_customer_id` is also the company
 * property the HubSpot mapping reads as an explicit link to a Stripe customer: a stage billing with PayPal names
 * another. `other` stands for "former customer", which HubSpot lacks.
 */
export const HUBSPOT_WRITE_BACK_DEFAULTS: NonNullable<NonNullable<StageConfig['hubspot']>['writeBack']> = {
  companyProperties: { odooPartnerId: 'odoo_partner_id', billingCustomerId: 'stripe_customer_id', customerId: 'saas_sync_customer_id' },
  dealProperties: { odooOrderId: 'odoo_order_id', billingSubscriptionId: 'stripe_subscription_id' },
  formerCustomerLifecycleStage: 'other',
  activityKeyProperty: 'saas_sync_key',
};

/**
 * What a stage with Salesforce writes back when it names no `salesforce.writeBack`: custom fields the org defines.
 * `Stripe_Customer_Id__c` is the Account field a stage can also name as its explicit link to Stripe; a stage billing
 * with PayPal names another.
 */
export const SALESFORCE_WRITE_BACK_DEFAULTS: NonNullable<NonNullable<StageConfig['salesforce']>['writeBack']> = {
  account: { odooPartnerId: 'Odoo_Partner_Id__c', billingCustomerId: 'Stripe_Customer_Id__c', customerId: 'Saas_Sync_Customer_Id__c' },
  opportunity: { odooOrderId: 'Odoo_Order_Id__c', billingSubscriptionId: 'Stripe_Subscription_Id__c' },
  lifecycle: { field: 'Customer_Status__c', customer: 'Customer', formerCustomer: 'Former Customer' },
  taskKeyField: 'Saas_Sync_Key__c',
};

const STAGE_CONFIGS: Record<Stage, StageConfig> = {
  local: {
    ...defaults,
    odoo: {
      url: 'http://127.0.0.1:8069',
      database: 'odoo18',
      login: 'admin',
      apiKeySecretName: 'odoo-saas-sync/local/odoo-api-key',
      transport: 'auto',
      ...ODOO_PROTECTION,
    },
    stripe: { webhookSecretName: 'odoo-saas-sync/local/stripe-webhook-secret', apiKeySecretName: 'odoo-saas-sync/local/stripe-api-key' },
    // The PayPal sandbox (local/sandboxes/paypal): its webhook id, its port under `npm start` for the read API and
    // the certificate (the dev environment gives the functions the port it actually runs on).
    paypal: {
      webhookId: 'WH-SANDBOX-LOCAL',
      apiCredentialsSecretName: 'odoo-saas-sync/local/paypal-api-credentials',
      apiUrl: 'http://127.0.0.1:12112',
      certificateOrigins: ['http://127.0.0.1:12112'],
    },
    // The HubSpot sandbox (local/sandboxes/hubspot): its portal and app, its port under `npm start`. The webhook URL
    // is what the sandbox's sender signs and the ingest checks: the local API's address under `npm start`.
    hubspot: {
      portalId: '62515',
      appId: '54321',
      appSecretName: 'odoo-saas-sync/local/hubspot-app-secret',
      accessTokenSecretName: 'odoo-saas-sync/local/hubspot-access-token',
      webhookUrl: 'http://127.0.0.1:4000/webhooks/hubspot',
      requestsPer10Seconds: 100,
      companyCurrency: 'usd',
      apiUrl: 'http://127.0.0.1:12113',
    },
    // The Salesforce sandbox (local/sandboxes/salesforce): its org, its port under `npm start` (the dev environment
    // gives the functions the port it actually runs on); its relay puts change events on this partner bus.
    salesforce: {
      partnerEventSource: 'aws.partner/salesforce.com/00D5f000005KcCnEAK/0YL5f000000CabWGAS',
      instanceUrl: 'http://127.0.0.1:12114',
      apiVersion: '62.0',
      credentialsSecretName: 'odoo-saas-sync/local/salesforce-client-credentials',
      clientName: 'odoo-saas-sync',
      corporateCurrency: 'usd',
      multiCurrency: false,
      // The sandbox's Accounts carry both (local/sandboxes/salesforce): the CRM identity stories link by them.
      accountFields: { links: { Stripe_Customer_Id__c: 'stripe' }, taxId: 'VAT_Number__c' },
    },
    // The Zendesk sandbox (local/sandboxes/zendesk): its API user, its port under `npm start` (the dev environment
    // gives the functions the port it actually runs on).
    zendesk: {
      url: 'http://127.0.0.1:12115',
      apiCredentialsSecretName: 'odoo-saas-sync/local/zendesk-api-credentials',
      webhookSigningSecretName: 'odoo-saas-sync/local/zendesk-webhook-secret',
      apiUserId: '900000000001',
      requestsPerMinute: 700,
      organizationFields: ZENDESK_ORGANIZATION_FIELDS,
    },
    // PayPal's money lands in the sandbox's "PayPal" bank journal (8, seeded by the dev environment from this route:
    // local/sandboxes/paypal/dev-environment-binding.ts), Stripe's in "Bank" (6).
    billing: {
      ...FRESH_ODOO_BILLING,
      companies: [...FRESH_ODOO_BILLING.companies, { source: 'paypal', account: '*', currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: PAYPAL_SANDBOX_JOURNAL_ID }],
    },
    flowConcurrency: 2,
    logRetentionDays: 7,
    alarmEmail: 'ops@example.com',
    removalPolicy: 'destroy',
    archiveRetentionDays: 7,
    // Seconds, not days: a dunning ends (suspended or restored) about 20 s after its failed payment (long enough for
    // the billing e2e to see the past-due standing before the saga re-reads the invoice Stripe's sandbox has paid), and a step
    // failing transiently gives up after 5 quick attempts (some 10 s: long enough to wait out a flow holding the same
    // entity's lease), so the local console shows a redrivable execution.
    sagas: {
      stepRetry: { intervalSeconds: 1, backoffRate: 2, maxDelaySeconds: 4, maxAttempts: 5 },
      dunning: { ...SAGAS.dunning, graceSeconds: 20, recheckSeconds: 10 },
      onboarding: SAGAS.onboarding,
      offboarding: SAGAS.offboarding,
    },
  },
  dev: {
    ...defaults,
    odoo: {
      url: 'https://odoo-dev.example.com',
      database: 'dev',
      login: 'integration@example.com',
      apiKeySecretName: 'odoo-saas-sync/dev/odoo-api-key',
      transport: 'auto',
      ...ODOO_PROTECTION,
    },
    stripe: { webhookSecretName: 'odoo-saas-sync/dev/stripe-webhook-secret', apiKeySecretName: 'odoo-saas-sync/dev/stripe-api-key' },
    flowConcurrency: 2,
    logRetentionDays: 14,
    alarmEmail: 'ops@example.com',
    removalPolicy: 'destroy',
    archiveRetentionDays: 30,
  },
  staging: {
    ...defaults,
    odoo: {
      url: 'https://odoo-staging.example.com',
      database: 'staging',
      login: 'integration@example.com',
      apiKeySecretName: 'odoo-saas-sync/staging/odoo-api-key',
      transport: 'auto',
      ...ODOO_PROTECTION,
    },
    stripe: { webhookSecretName: 'odoo-saas-sync/staging/stripe-webhook-secret', apiKeySecretName: 'odoo-saas-sync/staging/stripe-api-key' },
    flowConcurrency: 5,
    logRetentionDays: 30,
    alarmEmail: 'ops@example.com',
    removalPolicy: 'retain',
    archiveRetentionDays: 90,
  },
  prod: {
    ...defaults,
    odoo: {
      url: 'https://odoo.example.com',
      database: 'production',
      login: 'integration@example.com',
      apiKeySecretName: 'odoo-saas-sync/prod/odoo-api-key',
      transport: 'auto',
      ...ODOO_PROTECTION,
    },
    stripe: { webhookSecretName: 'odoo-saas-sync/prod/stripe-webhook-secret', apiKeySecretName: 'odoo-saas-sync/prod/stripe-api-key' },
    flowConcurrency: 10,
    logRetentionDays: 365,
    alarmEmail: 'ops@example.com',
    removalPolicy: 'retain',
    api: { rateLimit: 100, burstLimit: 200, maxBodyBytes: 256 * 1024 },
    archiveRetentionDays: 0,
  },
};

export class UnknownStageError extends Error {
  constructor(given: unknown) {
    const shown = given === undefined || given === '' ? 'no stage' : `unknown stage "${String(given)}"`;
    super(`${shown}: pass -c stage=NAME with one of: ${STAGES.join(', ')}`);
    this.name = 'UnknownStageError';
  }
}

export class InvalidStageConfigError extends Error {
  constructor(stage: Stage, issues: string) {
    super(`stage "${stage}" has an invalid configuration (lib/config/stages.ts): ${issues}`);
    this.name = 'InvalidStageConfigError';
  }
}

export function isStage(name: unknown): name is Stage {
  return typeof name === 'string' && (STAGES as readonly string[]).includes(name);
}

/**
 * The stage named by `-c stage=NAME` with its validated configuration; throws a clear error for an
 * unknown or missing stage (listing the valid ones) or for a bad value.
 */
export function resolveStage(name: unknown, configs: Record<Stage, unknown> = STAGE_CONFIGS): { stage: Stage; config: StageConfig } {
  if (!isStage(name)) throw new UnknownStageError(name);
  const parsed = stageConfigSchema.safeParse(configs[name]);
  if (!parsed.success) {
    throw new InvalidStageConfigError(
      name,
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    );
  }
  // A deployed stack must never be told to trust a webhook certificate from anywhere but PayPal.
  if (name !== 'local' && parsed.data.paypal?.certificateOrigins !== undefined) {
    throw new InvalidStageConfigError(name, 'paypal.certificateOrigins: only the local stage may add certificate origins (its PayPal sandbox)');
  }
  return { stage: name, config: parsed.data };
}
