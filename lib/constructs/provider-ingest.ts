import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/stages';
import type { ProviderRow } from '../providers';
import { SyncFunction } from './sync-function';
import type { WebhookApi } from './webhook-api';

export interface ProviderIngestProps {
  readonly provider: ProviderRow;
  /** Absolute path of the provider's webhook handler. */
  readonly entry: string;
  readonly config: StageConfig;
  readonly api: WebhookApi;
  readonly bus: IEventBus;
  /** Where a signed event that can never be applied is kept whole, with the reason. */
  readonly rejectedEvents: IQueue;
  /** The EventBridge `source` of canonical events. */
  readonly eventSource: string;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A provider's webhook ingest: `POST /webhooks/<route>` → its function (verify, translate) → the bus, with the
 * rejected events queue and the provider's signing secrets bound. Every provider's ingest is one of these.
 *
 * The function is the construct's `Default` child, so its logical ids are those the stack had before this
 * construct existed (`StripeIngest…`): a deployed stack keeps its function, role and log group.
 */
export class ProviderIngest extends Construct {
  readonly function: SyncFunction;

  constructor(scope: Construct, props: ProviderIngestProps) {
    const { provider, config } = props;
    super(scope, `${provider.name}Ingest`);
    this.function = new SyncFunction(this, 'Default', {
      entry: props.entry,
      serviceName: `${provider.route}-ingest`,
      memorySize: 512,
      timeout: Duration.seconds(10),
      environment: { EVENT_SOURCE: props.eventSource, ...provider.ingestEnvironment?.(config, { webhookUrl: props.api.webhookUrlOf(provider.route) }) },
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    props.api.addProvider(provider.route, this.function);
    props.rejectedEvents.grantSendMessages(this.function.fn);
    this.function.fn.addEnvironment('REJECTED_EVENTS_QUEUE_URL', props.rejectedEvents.queueUrl);
    this.function.bindEventBus(props.bus, 'EVENT_BUS_NAME');
    for (const secret of provider.ingestSecrets) {
      // Imported in the stack's scope, as before this construct: the ids of the grants stay put.
      this.function.bindSecret(Secret.fromSecretNameV2(scope, secret.id, secret.secretName(config)), secret.environmentVariable);
    }
  }
}
