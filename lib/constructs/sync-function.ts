import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface SyncFunctionProps {
  /** Path of the handler file (functions/…/handler.ts); the export must be named `handler`. */
  readonly entry: string;
  /** Short name used for the metrics namespace's service dimension and in log group names. */
  readonly serviceName: string;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly environment?: Record<string, string>;
  /**
   * Where Lambda puts an asynchronous invocation (an EventBridge rule's) that still failed after its own retries:
   * the function's `DeadLetterConfig`, with the role's right to send to it.
   */
  readonly deadLetterQueue?: IQueue;
}

const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/** The metrics namespace every function publishes to (dashboards and alarms read it). */
export const METRICS_NAMESPACE = 'OdooSaasSync';

/**
 * The house Lambda function: every function of the stack is one of these, so the runtime,
 * architecture, tracing, logging and bundling are decided once. Grants go through `bind*`
 * methods that also set the environment variable the code reads, so the two cannot drift.
 *
 * Each function gets its own role with an inline log policy scoped to its own log group,
 * instead of the broad AWSLambdaBasicExecutionRole managed policy.
 */
export class SyncFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: SyncFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `odoo-saas-sync ${props.serviceName} function`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.fn = new NodejsFunction(this, 'Fn', {
      entry: props.entry,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        STACK_NAME: Stack.of(this).stackName,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        sourcesContent: false,
        // The AWS SDK v3 ships with the nodejs22.x runtime: leave it out of the bundle.
        externalModules: ['@aws-sdk/*'],
        mainFields: ['module', 'main'],
        // Some CommonJS dependencies call require() for Node built-ins; an ESM bundle needs it defined.
        banner: "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);",
      },
    });
  }

  /**
   * Grants item-level access to a table (not to its indexes, not scans) and tells the code its name
   * in `envName`. Narrower than `grantReadWriteData`, which also grants every index and Scan.
   */
  bindTable(table: ITable, envName: string, access: 'read' | 'readWrite' = 'readWrite'): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: access === 'read' ? TABLE_READ_ACTIONS : [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS],
        resources: [table.tableArn],
      }),
    );
    if (table.encryptionKey) table.encryptionKey.grantEncryptDecrypt(this.fn);
    this.fn.addEnvironment(envName, table.tableName);
    return this;
  }

  /** Grants read of a secret and tells the code its name (resolved through Secrets Manager at run time). */
  bindSecret(secret: ISecret, envName: string): this {
    secret.grantRead(this.fn);
    this.fn.addEnvironment(envName, secret.secretName);
    return this;
  }

  /** Grants PutEvents on a bus and tells the code its name. */
  bindEventBus(bus: IEventBus, envName: string): this {
    bus.grantPutEventsTo(this.fn);
    this.fn.addEnvironment(envName, bus.eventBusName);
    return this;
  }
}

/** CloudWatch Logs retention from a stage's day count. */
export function retentionDays(days: number): RetentionDays {
  const match = Object.values(RetentionDays).find((value) => value === days);
  if (match === undefined) throw new Error(`no CloudWatch Logs retention of ${days} days`);
  return match as RetentionDays;
}

export function removalPolicy(policy: 'destroy' | 'retain'): RemovalPolicy {
  return policy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}
