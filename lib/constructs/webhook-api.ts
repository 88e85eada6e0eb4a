import { CfnOutput, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type Resource,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { SyncFunction } from './sync-function';

export interface WebhookApiProps {
  readonly stageName: string;
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** Largest body the ingest functions accept (they answer 413 above it). */
  readonly maxBodyBytes: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The public webhook endpoint: a regional REST API with `POST /webhooks/{provider}`, one ingest
 * function per provider, access logs, stage throttling and a payload size limit. Authentication is
 * the provider's signature, verified by the ingest function on the raw body.
 */
export class WebhookApi extends Construct {
  readonly api: RestApi;
  readonly accessLogs: LogGroup;
  private readonly webhooks: Resource;
  private readonly maxBodyBytes: number;
  private readonly stageName: string;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    this.maxBodyBytes = props.maxBodyBytes;
    this.stageName = props.stageName;
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'odoo-saas-sync webhooks',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        // Execution logs need an account-wide API Gateway role; access logs are per stage and enough.
        loggingLevel: MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      },
    });
    this.webhooks = this.api.root.addResource('webhooks');
  }

  /**
   * The public URL of `POST /webhooks/<provider>`, for a function's environment. Built from the API's id and the
   * stage's name, not from `urlForPath` (which refers to the deployed stage): the stage depends on the methods, the
   * methods on the ingest function, so the function referring to the stage would be a cycle.
   */
  webhookUrlOf(provider: string): string {
    const stack = Stack.of(this);
    return `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${this.stageName}/webhooks/${provider}`;
  }

  /** Adds `POST /webhooks/<provider>` served by the provider's ingest function, and outputs its URL. */
  addProvider(provider: string, ingest: SyncFunction): void {
    ingest.fn.addEnvironment('MAX_BODY_BYTES', String(this.maxBodyBytes));
    this.webhooks.addResource(provider).addMethod('POST', new LambdaIntegration(ingest.fn, { proxy: true }));
    new CfnOutput(this, `${provider}WebhookUrl`, {
      description: `Point the ${provider} webhook endpoint here`,
      value: this.api.urlForPath(`/webhooks/${provider}`),
    });
  }
}
