import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import type { Stage, StageConfig } from './config/stages';
import { AlarmTopic } from './constructs/alarm-topic';
import { alarmWhenNotEmpty, deadLetterQueue } from './constructs/secure-queue';
import { StateTables } from './constructs/state-tables';
import { SyncEventBus } from './constructs/sync-event-bus';
import { SyncFlow } from './constructs/sync-flow';
import { PartnerEventIngest } from './constructs/partner-event-ingest';
import { ProviderIngest } from './constructs/provider-ingest';
import { Reconciliation } from './constructs/reconciliation';
import { SyncFunction, removalPolicy, retentionDays } from './constructs/sync-function';
import { WebhookApi } from './constructs/webhook-api';
import { acknowledgeNagFindings } from './nag-acknowledgments';
import { configuredCrmWorkspaces, configuredPartnerEventProviders, configuredProviders, providerSecretNames } from './providers';
import { LifecycleSaga } from './constructs/lifecycle-saga';
import { type FlowName, FLOW_NAMES, flowEventPattern, SAGA_NAMES, type SagaName, sagaEventPattern } from './routing';
import { sagaDefinitions } from './sagas';

/** EventBridge `source` of canonical events (mirrors events/envelope.ts, which lib/ does not import). */
export const EVENT_SOURCE = 'odoo-saas-sync';

const handlerPath = (relative: string) => fileURLToPath(new URL(`../functions/${relative}`, import.meta.url));

/**
 * The consumer of each flow of the routing table, and what it reads besides Odoo and the state tables:
 * the billing mapping (BILLING_CONFIG) and every provider's read API (to fetch a dependency Odoo does not have yet).
 */
const FLOW_CONSUMERS: Record<
  FlowName,
  { entry: string; billingConfig?: true; providerApis?: true; dealConfig?: true; identityConfig?: true; supportDeskApi?: true; supportPolicy?: true; publishes?: true; crmWorkspace?: true }
> = {
  // customer-sync and crm-sync write a company's ids back to the CRMs it lives in (functions/flows/crm-write-back.ts).
  'customer-sync': { entry: handlerPath('flows/customer-sync/handler.ts'), identityConfig: true, crmWorkspace: true },
  'billing-sync': { entry: handlerPath('flows/billing-sync/handler.ts'), billingConfig: true, providerApis: true, identityConfig: true },
  // Puts `subscription.amended` on the bus when it changes a confirmed contract's lines (the amendment saga).
  'subscription-sync': { entry: handlerPath('flows/subscription-sync/handler.ts'), billingConfig: true, publishes: true },
  // Reads the deal mapping (DEAL_CONFIG) and puts `deal.won` on the bus.
  'deal-sync': { entry: handlerPath('flows/deal-sync/handler.ts'), dealConfig: true },
  'crm-sync': { entry: handlerPath('flows/crm-sync/handler.ts'), identityConfig: true, crmWorkspace: true },
  // The support flows write to the stage's support desk (a provider's API) and read the support policy; the
  // entitlements flow publishes `entitlement.changed`.
  entitlements: { entry: handlerPath('flows/entitlements/handler.ts'), supportDeskApi: true, supportPolicy: true, publishes: true },
  'support-tickets': { entry: handlerPath('flows/support-tickets/handler.ts'), supportDeskApi: true, supportPolicy: true },
};

/**
 * The deal mapping of a stage: its `deals` section, else quotations in the company the stage's billing lands in
 * first, with products found by SKU only.
 */
export function dealConfigOf(config: StageConfig): { companyId: number; products: Record<string, string | number> } {
  return config.deals ?? { companyId: config.billing.companies[0]!.companyId, products: {} };
}

export interface SyncStackProps extends StackProps {
  readonly stage: Stage;
  readonly config: StageConfig;
}

/** The whole stack, composed in the order of the diagram: webhooks → ingest → bus → flows → Odoo. */
export class SyncStack extends Stack {
  readonly api: WebhookApi;
  /** Each provider's webhook ingest, by route (`stripe`). */
  readonly ingests: Readonly<Record<string, SyncFunction>>;
  /** Each partner-event provider's ingest (its partner bus, rule, function), by system (`salesforce`). */
  readonly partnerIngests: Readonly<Record<string, PartnerEventIngest>>;
  readonly eventBus: SyncEventBus;
  readonly tables: StateTables;
  readonly flows: Record<FlowName, SyncFlow>;
  readonly sagas: Record<SagaName, LifecycleSaga>;
  readonly alarms: AlarmTopic;
  readonly rejectedEvents: Queue;
  readonly reconciliation: Reconciliation;

  constructor(scope: Construct, id: string, props: SyncStackProps) {
    super(scope, id, props);
    const { config } = props;
    const common = { logRetention: retentionDays(config.logRetentionDays), removalPolicy: removalPolicy(config.removalPolicy) };

    this.alarms = new AlarmTopic(this, 'Alarms', { email: config.alarmEmail, removalPolicy: common.removalPolicy });

    // Webhooks → ingest
    this.api = new WebhookApi(this, 'Webhooks', {
      stageName: props.stage,
      rateLimit: config.api.rateLimit,
      burstLimit: config.api.burstLimit,
      maxBodyBytes: config.api.maxBodyBytes,
      ...common,
    });
    // Signed events that can never be applied (another API version, an object we cannot read): kept with the reason.
    this.rejectedEvents = deadLetterQueue(this, 'RejectedEvents', common.removalPolicy);
    alarmWhenNotEmpty(
      this,
      'RejectedEventsNotEmpty',
      this.rejectedEvents,
      this.alarms,
      'A provider sent events the stack cannot apply (e.g. a webhook endpoint pinned to another API version); each message says why.',
    );

    // Ingest → bus
    this.eventBus = new SyncEventBus(this, 'Events', {
      eventSource: EVENT_SOURCE,
      archiveRetentionDays: config.archiveRetentionDays,
      alarms: this.alarms,
      removalPolicy: common.removalPolicy,
    });
    const providers = configuredProviders(config);
    this.ingests = Object.fromEntries(
      providers.map((provider) => {
        const ingest = new ProviderIngest(this, {
          provider,
          entry: handlerPath(provider.ingestEntry),
          config,
          api: this.api,
          bus: this.eventBus.bus,
          rejectedEvents: this.rejectedEvents,
          eventSource: EVENT_SOURCE,
          ...common,
        });
        return [provider.route, ingest.function];
      }),
    );

    // Partner event buses (a provider's relay into the account) → ingest → bus
    const partnerProviders = configuredPartnerEventProviders(config);
    this.partnerIngests = Object.fromEntries(
      partnerProviders.map((provider) => [
        provider.system,
        new PartnerEventIngest(this, {
          provider,
          entry: handlerPath(provider.ingestEntry),
          config,
          bus: this.eventBus.bus,
          rejectedEvents: this.rejectedEvents,
          eventSource: EVENT_SOURCE,
          alarms: this.alarms,
          ...common,
        }),
      ]),
    );

    // Bus → flows → Odoo, with their state
    this.tables = new StateTables(this, 'State', { removalPolicy: common.removalPolicy });
    const odooApiKey = Secret.fromSecretNameV2(this, 'OdooApiKey', config.odoo.apiKeySecretName);
    // Billing providers' read APIs go to billing-sync and the reconciliation; a support desk's API to the support flows.
    const apisOf = (selected: readonly (typeof providers)[number][], partnerSystems: readonly string[]) => ({
      secrets: selected.flatMap((provider) => provider.apiSecrets.map((secret) => ({ secret: Secret.fromSecretNameV2(this, secret.id, secret.secretName(config)), ...secret }))),
      environment: Object.assign({}, ...selected.map((provider) => provider.apiEnvironment?.(config) ?? {})) as Record<string, string>,
      systems: [...selected.map((provider) => provider.route), ...partnerSystems].join(','),
    });
    const billingApis = apisOf(
      providers.filter((provider) => provider.supportDesk !== true),
      partnerProviders.map((provider) => provider.system),
    );
    const supportDeskApis = apisOf(providers.filter((provider) => provider.supportDesk === true), []);
    // The CRMs' write access (the write-back, the sagas' CRM steps): their secrets are the ingests' own, imported once.
    const importedSecret = (id: string, name: string) => (this.node.tryFindChild(id) as ISecret | undefined) ?? Secret.fromSecretNameV2(this, id, name);
    const crms = configuredCrmWorkspaces(config);
    const crmWorkspaces = {
      secrets: crms.flatMap(({ access }) => access.secrets.map((secret) => ({ secret: importedSecret(secret.id, secret.secretName(config)), environmentVariable: secret.environmentVariable }))),
      environment: Object.assign({}, ...crms.map(({ access }) => access.environment(config)), crms.length === 0 ? {} : { CRM_SYSTEMS: crms.map(({ system }) => system).join(',') }) as Record<string, string>,
    };
    const providerApiSecrets = billingApis.secrets;
    const providerApiEnvironment = billingApis.environment;
    const providerSystems = billingApis.systems;
    const odooEnvironment = {
      ODOO_URL: config.odoo.url,
      ODOO_DB: config.odoo.database,
      ODOO_LOGIN: config.odoo.login,
      ODOO_TRANSPORT: config.odoo.transport,
      // Per container: functions/erp/odoo/odoo-protection-env.ts reads them into the Odoo client's limits.
      ODOO_MAX_REQUESTS_PER_SECOND: String(config.odoo.maxRequestsPerSecond),
      ODOO_MAX_CONCURRENT_REQUESTS: String(config.odoo.maxConcurrentRequests),
      // Read by the flow consumers (functions/erp/odoo/call-coalescer.ts); the reconciliation only reads.
      ODOO_BATCH_WINDOW_MS: String(config.odoo.batchWindowMs),
      ODOO_MAX_BATCH_SIZE: String(config.odoo.maxBatchSize),
    };
    this.flows = Object.fromEntries(
      FLOW_NAMES.map((flowName) => {
        const flow = new SyncFlow(this, `Flow-${flowName}`, {
          flowName,
          bus: this.eventBus.bus,
          eventPattern: flowEventPattern(flowName, EVENT_SOURCE),
          ruleTargetDlq: this.eventBus.targetDlq,
          entry: FLOW_CONSUMERS[flowName].entry,
          maxConcurrency: config.flowConcurrency,
          maxMessageAge: Duration.minutes(config.maxMessageAgeMinutes),
          alarms: this.alarms,
          ...common,
        });
        flow.consumer
          .bindTable(this.tables.identityMap, 'IDENTITY_MAP_TABLE')
          .bindTable(this.tables.idempotency, 'IDEMPOTENCY_TABLE')
          .bindTable(this.tables.watermarks, 'WATERMARK_TABLE')
          .bindSecret(odooApiKey, 'ODOO_API_KEY_SECRET_NAME');
        for (const [name, value] of Object.entries(odooEnvironment)) flow.consumer.fn.addEnvironment(name, value);
        if (FLOW_CONSUMERS[flowName].billingConfig) flow.consumer.fn.addEnvironment('BILLING_CONFIG', JSON.stringify(config.billing));
        if (FLOW_CONSUMERS[flowName].dealConfig) {
          flow.consumer.fn.addEnvironment('DEAL_CONFIG', JSON.stringify(dealConfigOf(config)));
          flow.consumer.bindEventBus(this.eventBus.bus, 'EVENT_BUS_NAME');
        }
        if (FLOW_CONSUMERS[flowName].identityConfig) flow.consumer.fn.addEnvironment('IDENTITY_CONFIG', JSON.stringify(config.identity));
        if (FLOW_CONSUMERS[flowName].supportPolicy) flow.consumer.fn.addEnvironment('SUPPORT_POLICY', JSON.stringify(config.support));
        if (FLOW_CONSUMERS[flowName].publishes) flow.consumer.bindEventBus(this.eventBus.bus, 'EVENT_BUS_NAME');
        if (FLOW_CONSUMERS[flowName].crmWorkspace) {
          for (const { secret, environmentVariable } of crmWorkspaces.secrets) flow.consumer.bindSecret(secret, environmentVariable);
          for (const [name, value] of Object.entries(crmWorkspaces.environment)) flow.consumer.fn.addEnvironment(name, value);
        }
        const apis = FLOW_CONSUMERS[flowName].providerApis ? billingApis : FLOW_CONSUMERS[flowName].supportDeskApi ? supportDeskApis : undefined;
        if (apis !== undefined) {
          for (const { secret, environmentVariable } of apis.secrets) flow.consumer.bindSecret(secret, environmentVariable);
          for (const [name, value] of Object.entries(apis.environment)) flow.consumer.fn.addEnvironment(name, value);
          // The registry builds the APIs of these providers only (functions/providers/registry.ts); a support flow of
          // a stage without a desk is told of none and pushes nowhere.
          if (apis.systems !== '') flow.consumer.fn.addEnvironment('PROVIDER_SYSTEMS', apis.systems);
        }
        return [flowName, flow];
      }),
    ) as Record<FlowName, SyncFlow>;

    // Bus → lifecycle sagas (Step Functions) → Odoo: the same Odoo, tables and provider APIs as the flows.
    const sagas = sagaDefinitions(config, handlerPath);
    const sagaProviderSystems = (definition: (typeof sagas)[SagaName]) => {
      const systems = [...(definition.providerApis ? [providerSystems] : []), ...(definition.supportDesk ? [supportDeskApis.systems] : [])].filter((list) => list !== '').join(',');
      return systems === '' ? {} : { PROVIDER_SYSTEMS: systems };
    };
    this.sagas = Object.fromEntries(
      SAGA_NAMES.map((sagaName) => {
        const definition = sagas[sagaName];
        const saga = new LifecycleSaga(this, `Saga-${sagaName}`, {
          sagaName,
          steps: definition.steps,
          bus: this.eventBus.bus,
          eventPattern: sagaEventPattern(sagaName, EVENT_SOURCE),
          ruleTargetDlq: this.eventBus.targetDlq,
          starterEntry: handlerPath('sagas/start-saga/handler.ts'),
          stepRetry: config.sagas.stepRetry,
          timeout: definition.timeout,
          environment: {
            ...odooEnvironment,
            ...definition.environment,
            // The invoice's write lease, as the flows hold it (functions/platform/watermark-lease.ts).
            LEASE_SECONDS: '60',
            ...(definition.billingConfig ? { BILLING_CONFIG: JSON.stringify(config.billing) } : {}),
            ...(definition.identityConfig ? { IDENTITY_CONFIG: JSON.stringify(config.identity) } : {}),
            ...(definition.providerApis ? { ...providerApiEnvironment, PROVIDER_SYSTEMS: providerSystems } : {}),
            ...(definition.supportDesk ? { ...supportDeskApis.environment } : {}),
            // A step that writes to the desk and bills too is told of both (the registry builds those APIs only).
            ...(definition.providerApis || definition.supportDesk ? sagaProviderSystems(definition) : {}),
          },
          alarms: this.alarms,
          ...common,
        });
        saga.eachStepFunction((fn, stepName) => {
          fn.bindTable(this.tables.identityMap, 'IDENTITY_MAP_TABLE')
            .bindTable(this.tables.idempotency, 'IDEMPOTENCY_TABLE')
            .bindTable(this.tables.watermarks, 'WATERMARK_TABLE')
            .bindSecret(odooApiKey, 'ODOO_API_KEY_SECRET_NAME');
          if (definition.providerApis) for (const { secret, environmentVariable } of providerApiSecrets) fn.bindSecret(secret, environmentVariable);
          if (definition.supportDesk) for (const { secret, environmentVariable } of supportDeskApis.secrets) fn.bindSecret(secret, environmentVariable);
          if (definition.publishes) fn.bindEventBus(this.eventBus.bus, 'EVENT_BUS_NAME');
          // Only the steps that write to the CRM hold its token (and are told of it: CRM_SYSTEMS gates the workspace).
          if (definition.crmWorkspaceSteps?.includes(stepName)) {
            for (const { secret, environmentVariable } of crmWorkspaces.secrets) fn.bindSecret(secret, environmentVariable);
            for (const [name, value] of Object.entries(crmWorkspaces.environment)) fn.fn.addEnvironment(name, value);
          }
        });
        return [sagaName, saga];
      }),
    ) as Record<SagaName, LifecycleSaga>;

    // Provider ↔ Odoo, every day: drift is a metric with an alarm, and the report is in the function's log.
    // Every provider the stage runs is reconciled (its module's reconciliation source): it reads their APIs.
    this.reconciliation = new Reconciliation(this, 'Reconciliation', {
      schedule: config.reconcileSchedule,
      odooApiKey,
      providerApiSecrets,
      providerEnvironment: { ...providerApiEnvironment, PROVIDER_SYSTEMS: providerSystems },
      bus: this.eventBus.bus,
      odooEnvironment,
      alarms: this.alarms,
      ...common,
    });

    acknowledgeNagFindings(
      this,
      [...providerSecretNames(config), config.odoo.apiKeySecretName],
      [
        this.eventBus.targetDlq,
        this.rejectedEvents,
        this.reconciliation.scheduleDlq,
        ...Object.values(this.partnerIngests).map((ingest) => ingest.deadLetters),
        ...Object.values(this.sagas).map((saga) => saga.starterFailures),
      ],
    );
  }
}

/** The CloudFormation stack name of a stage. */
export function stackName(stage: Stage): string {
  return `OdooSaasSync-${stage}`;
}
