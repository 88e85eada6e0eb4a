import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import type { AlarmTopic } from './alarm-topic';
import { alarmWhenNotEmpty, deadLetterQueue } from './secure-queue';
import { METRICS_NAMESPACE, SyncFunction } from './sync-function';

export interface ReconciliationProps {
  /** EventBridge schedule expression (`cron(…)` or `rate(…)`); each run checks the day before. */
  readonly schedule: string;
  readonly odooApiKey: ISecret;
  /** The read API secrets of every provider the stage runs (their rows' `apiSecrets`), by the variable naming each. */
  readonly providerApiSecrets: ReadonlyArray<{ secret: ISecret; environmentVariable: string }>;
  /** Their non-secret read API settings (rows' `apiEnvironment`), and `PROVIDER_SYSTEMS`: which providers to reconcile. */
  readonly providerEnvironment: Record<string, string>;
  /** Where a run asked to re-emit puts the canonical events of documents missing in Odoo. */
  readonly bus: IEventBus;
  /** ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_TRANSPORT, ODOO_MAX_REQUESTS_PER_SECOND, ODOO_MAX_CONCURRENT_REQUESTS. */
  readonly odooEnvironment: Record<string, string>;
  readonly alarms: AlarmTopic;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

const SERVICE_NAME = 'reconcile';

/**
 * Scheduled reconciliation of each provider the stage runs against Odoo (functions/reconcile): the function, its schedule rule
 * (with a DLQ for invocations EventBridge could not make), and alarms on drift and on failed runs. The
 * report itself is in the function's log; operators run a period by hand with `npm run reconcile` or by
 * invoking the function with `{ "from": "YYYY-MM-DD", "to": "YYYY-MM-DD" }`, adding `"reemit": true` to
 * have the documents missing in Odoo re-emitted onto the bus for the flows.
 */
export class Reconciliation extends Construct {
  readonly function: SyncFunction;
  readonly schedule: Rule;
  readonly scheduleDlq: Queue;
  readonly driftAlarm: Alarm;
  readonly failureAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ReconciliationProps) {
    super(scope, id);
    this.function = new SyncFunction(this, 'Function', {
      entry: fileURLToPath(new URL('../../functions/reconcile/handler.ts', import.meta.url)),
      serviceName: SERVICE_NAME,
      // A day of a busy account is a few thousand invoices: paged reads from each provider and batched reads from Odoo.
      memorySize: 1024,
      timeout: Duration.minutes(10),
      environment: { ...props.odooEnvironment, ...props.providerEnvironment },
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.function.bindSecret(props.odooApiKey, 'ODOO_API_KEY_SECRET_NAME').bindEventBus(props.bus, 'EVENT_BUS_NAME');
    for (const { secret, environmentVariable } of props.providerApiSecrets) this.function.bindSecret(secret, environmentVariable);

    this.scheduleDlq = deadLetterQueue(this, 'ScheduleDlq', props.removalPolicy);
    this.schedule = new Rule(this, 'Schedule', {
      description: 'odoo-saas-sync: reconcile yesterday’s provider invoices, payments and refunds against Odoo',
      schedule: Schedule.expression(props.schedule),
      targets: [new LambdaFunction(this.function.fn, { retryAttempts: 2, maxEventAge: Duration.hours(2), deadLetterQueue: this.scheduleDlq })],
    });
    alarmWhenNotEmpty(this, 'ScheduleDlqNotEmpty', this.scheduleDlq, props.alarms, 'EventBridge could not start the reconciliation run; the message names the reason.');

    this.driftAlarm = props.alarms.notify(
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'ReconciliationDrift',
        dimensionsMap: { service: SERVICE_NAME },
        statistic: 'Maximum',
        period: Duration.hours(1),
      }).createAlarm(this, 'Drift', {
        alarmDescription: 'A provider and Odoo disagree (missing, amount, state or orphan): the reconcile function log lists each document, per provider.',
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.failureAlarm = props.alarms.notify(
      this.function.fn.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }).createAlarm(this, 'Failed', {
        alarmDescription: 'A reconciliation run failed (a provider or Odoo unreachable, bad credentials): the log names the provider not reconciled that day.',
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
