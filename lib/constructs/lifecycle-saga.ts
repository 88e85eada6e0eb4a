import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { ComparisonOperator, type Alarm, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type IEventBus, type IRule, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  type IChainable,
  type INextable,
  JitterType,
  LogLevel,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
  Wait,
  WaitTime,
  type State,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { AlarmTopic } from './alarm-topic';
import { alarmWhenNotEmpty, deadLetterQueue } from './secure-queue';
import { SyncFunction } from './sync-function';

/**
 * The error names a saga step's function throws (functions/platform/saga-step.ts maps every error to one of them
 * by `isRetryable`): Step Functions matches `Retry`/`Catch` on the exact name, and the project's errors are many
 * subclasses. A transient one is retried with capped backoff; a permanent one compensates.
 */
export const SAGA_TRANSIENT_ERRORS = [
  'RetryableSyncError',
  // Lambda's own transient faults (throttling, a service hiccup) surface under these names.
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;
export const SAGA_PERMANENT_ERRORS = ['PermanentSyncError'] as const;

/** A step: a small function whose result lands at `$.<resultKey>`, and what undoes it if a later step fails for good. */
export interface SagaTaskStep {
  readonly kind: 'task';
  /** PascalCase: the state's name, the function's id and (camelCased) its result path. */
  readonly name: string;
  readonly entry: string;
  /** Undoes what the step made; idempotent and tolerant of "already undone / not found". */
  readonly compensation?: { readonly name: string; readonly entry: string };
}

/** A check loop: wait `intervalSeconds`, run the step, and again while its result's `field` equals `whileEquals`. */
export interface SagaPollStep {
  readonly kind: 'poll';
  readonly name: string;
  readonly entry: string;
  readonly intervalSeconds: number;
  readonly field: string;
  readonly whileEquals: string;
}

/** A branch on a string a previous step returned (`$.<resultKey>.<field>`); a case with no steps ends the saga successfully. */
export interface SagaChoiceStep {
  readonly kind: 'choice';
  readonly name: string;
  /** JSONPath of the value, e.g. `$.recheckInvoice.outcome`. */
  readonly variable: string;
  readonly cases: Readonly<Record<string, readonly SagaStep[]>>;
}

export type SagaStep = SagaTaskStep | SagaPollStep | SagaChoiceStep;

export interface StepRetrySettings {
  readonly intervalSeconds: number;
  readonly backoffRate: number;
  readonly maxDelaySeconds: number;
  readonly maxAttempts: number;
}

export interface LifecycleSagaProps {
  /** kebab-case (`dunning`): the state machine's, functions' and alarms' names. */
  readonly sagaName: string;
  readonly steps: readonly SagaStep[];
  readonly bus: IEventBus;
  /** The rule's event pattern, from the routing table (lib/routing.ts SAGA_ROUTES). */
  readonly eventPattern: { source: string[]; detailType: string[] };
  /** Where EventBridge puts events it cannot deliver to the starter. */
  readonly ruleTargetDlq: IQueue;
  readonly starterEntry: string;
  readonly stepRetry: StepRetrySettings;
  /** An execution running longer than this is stopped as TIMED_OUT (and alarms). */
  readonly timeout: Duration;
  /** Environment of every step function (the starter gets only what it needs). */
  readonly environment?: Record<string, string>;
  readonly stepTimeout?: Duration;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly alarms: AlarmTopic;
}

const camel = (pascal: string) => pascal.charAt(0).toLowerCase() + pascal.slice(1);

/**
 * A lifecycle saga: EventBridge rule → starter function → Standard state machine of small Lambda steps.
 *
 * - Each step writes its own result path (`$.<step>`), is retried on transient errors (capped exponential backoff
 *   with jitter) and caught on permanent ones: the compensations of the steps already done run in reverse order
 *   (each retried; a compensation that still fails is recorded at `$.compensationFailures.<step>` and the next one
 *   runs), then the execution fails carrying the step's error and cause.
 * - A transient error that outlasts the retries is not caught: the execution fails at that step, so
 *   `RedriveExecution` resumes it there once the outage is over, without compensating work that was fine.
 * - The starter names the execution after the triggering event's id, so a re-delivered event starts no second run.
 *   (EventBridge's direct Step Functions target cannot set the execution name: it would start one run per delivery.)
 */
export class LifecycleSaga extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  readonly rule: IRule;
  readonly starter: SyncFunction;
  /** Starts that failed after Lambda's asynchronous retries (e.g. Step Functions throttled for minutes), with the event. */
  readonly starterFailures: Queue;
  /** Every step and compensation function, by state name. */
  readonly functions: ReadonlyMap<string, SyncFunction>;
  readonly failedAlarm: Alarm;
  readonly timedOutAlarm: Alarm;

  private readonly fns = new Map<string, SyncFunction>();
  /** The step functions' scope, apart from the states of the same names. */
  private readonly functionScope: Construct;

  constructor(scope: Construct, id: string, private readonly props: LifecycleSagaProps) {
    super(scope, id);
    this.functions = this.fns;
    this.functionScope = new Construct(this, 'Functions');

    const failed = new Fail(this, 'Failed', {
      comment: 'A step failed for good; the compensations of the steps before it ran. Error and cause are the step’s.',
      errorPath: '$.failure.Error',
      causePath: '$.failure.Cause',
    });
    const definition = this.chain(props.steps, failed, '');

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: `odoo-saas-sync-${props.sagaName}`,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: props.timeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
      comment: `odoo-saas-sync ${props.sagaName} saga (lib/constructs/lifecycle-saga.ts)`,
    });

    // CDK's Lambda task grants InvokeFunction on each step function and on its versions and aliases (`<arn>:*`).
    for (const fn of this.fns.values()) {
      const logicalId = Stack.of(this).getLogicalId(fn.fn.node.defaultChild as CfnFunction);
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: 'The state machine may invoke its own step function and that function’s versions or aliases, nothing else: a qualified ARN names the same code.',
      });
    }

    this.starterFailures = deadLetterQueue(this, 'StarterFailures', props.removalPolicy);
    this.starter = new SyncFunction(this, 'Starter', {
      entry: props.starterEntry,
      serviceName: `${props.sagaName}-saga`,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: { STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
    });
    this.stateMachine.grantStartExecution(this.starter.fn);
    this.starter.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(this.starterFailures) });
    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      description: `canonical events that start the ${props.sagaName} saga (lib/routing.ts)`,
      eventPattern: props.eventPattern,
      targets: [new LambdaFunction(this.starter.fn, { deadLetterQueue: props.ruleTargetDlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });
    alarmWhenNotEmpty(this, 'StarterFailuresNotEmpty', this.starterFailures, props.alarms, `${props.sagaName}: events that could not start the saga; each message holds the event.`);

    this.failedAlarm = props.alarms.notify(
      this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }).createAlarm(this, 'ExecutionsFailed', {
        alarmDescription: `${props.sagaName} saga: executions failed (the step's error and the compensations are in the execution's history; redrive after a transient outage).`,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.timedOutAlarm = props.alarms.notify(
      this.stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }).createAlarm(this, 'ExecutionsTimedOut', {
        alarmDescription: `${props.sagaName} saga: executions ran past ${props.timeout.toHumanString()} and were stopped.`,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** Calls `bind` for every step and compensation function, with its state's name (grants and environment the stack owns). */
  eachStepFunction(bind: (fn: SyncFunction, stepName: string) => void): void {
    for (const [stepName, fn] of this.fns) bind(fn, stepName);
  }

  /**
   * The states of `steps`, in order; `undo` is the first compensation state to run if one of them fails for
   * good (the compensations of the steps before them, already chained in reverse), or the Fail state.
   */
  private chain(steps: readonly SagaStep[], undo: State, path: string): IChainable {
    const [step, ...rest] = steps;
    if (step === undefined) return new Succeed(this, `Done${path}`);
    switch (step.kind) {
      case 'task': {
        const task = this.task(step.name, step.entry, undo);
        const nextUndo = step.compensation ? this.compensation(step.compensation, undo) : undo;
        return task.next(this.chain(rest, nextUndo, path));
      }
      case 'poll': {
        const wait = new Wait(this, `Wait before ${step.name}`, { time: WaitTime.duration(Duration.seconds(step.intervalSeconds)) });
        const task = this.task(step.name, step.entry, undo);
        const again = new Choice(this, `${step.name}?`)
          .when(Condition.stringEquals(`$.${camel(step.name)}.${step.field}`, step.whileEquals), wait)
          .otherwise(this.chain(rest, undo, path) as State);
        wait.next(task).next(again);
        return wait;
      }
      case 'choice': {
        if (rest.length > 0) throw new Error(`saga ${this.props.sagaName}: the choice "${step.name}" must be the last step of its list (put what follows in each case)`);
        const choice = new Choice(this, step.name);
        for (const [value, caseSteps] of Object.entries(step.cases)) {
          choice.when(Condition.stringEquals(step.variable, value), this.chain(caseSteps, undo, `${path} ${step.name}=${value}`) as State);
        }
        // A value no case names is a bug in a step: fail with what was seen, after undoing the steps done.
        choice.otherwise(
          new Pass(this, `${step.name}: unexpected`, {
            parameters: { Error: 'UnexpectedStepResult', 'Cause.$': `States.Format('${step.name}: {}', ${step.variable})` },
            resultPath: '$.failure',
          }).next(undo),
        );
        return choice;
      }
    }
  }

  private stepFunction(name: string, entry: string): SyncFunction {
    const fn = new SyncFunction(this.functionScope, name, {
      entry,
      serviceName: `${this.props.sagaName}-saga`,
      logRetention: this.props.logRetention,
      removalPolicy: this.props.removalPolicy,
      timeout: this.props.stepTimeout ?? Duration.seconds(30),
      environment: { SAGA_NAME: this.props.sagaName, SAGA_STEP: name, ...this.props.environment },
    });
    this.fns.set(name, fn);
    return fn;
  }

  private retry(task: LambdaInvoke): void {
    const { intervalSeconds, backoffRate, maxDelaySeconds, maxAttempts } = this.props.stepRetry;
    task.addRetry({
      errors: [...SAGA_TRANSIENT_ERRORS],
      interval: Duration.seconds(intervalSeconds),
      backoffRate,
      maxDelay: Duration.seconds(maxDelaySeconds),
      maxAttempts,
      jitterStrategy: JitterType.FULL,
    });
  }

  /** A step: the whole saga state in, its result at `$.<step>`. */
  private task(name: string, entry: string, undo: State): LambdaInvoke {
    const task = new LambdaInvoke(this, name, {
      lambdaFunction: this.stepFunction(name, entry).fn,
      payloadResponseOnly: true,
      // The step's own Retry covers Lambda's service errors with the stage's backoff (CDK's default is a second one).
      retryOnServiceExceptions: false,
      resultPath: `$.${camel(name)}`,
      comment: `saga step ${name}`,
    });
    this.retry(task);
    task.addCatch(undo, { errors: [...SAGA_PERMANENT_ERRORS], resultPath: '$.failure' });
    return task;
  }

  /** A compensation state whose Next is the compensation before it (or the Fail state): a chain in reverse order. */
  private compensation(spec: { name: string; entry: string }, previous: State): State {
    const task = new LambdaInvoke(this, spec.name, {
      lambdaFunction: this.stepFunction(spec.name, spec.entry).fn,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: `$.${camel(spec.name)}`,
      comment: `compensation ${spec.name}`,
    });
    this.retry(task);
    // A compensation that fails for good must not stop the others: it is recorded for the operator and the chain goes on.
    task.addCatch(previous, { errors: ['States.ALL'], resultPath: `$.compensationFailures.${camel(spec.name)}` });
    (task as INextable).next(previous);
    return task;
  }
}
