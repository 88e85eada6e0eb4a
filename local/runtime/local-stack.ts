import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { restApisFromTemplate, type LocalRestApi } from './apigateway/rest-api';
import { readSynthesizedStack } from './cloudformation/cloud-assembly';
import { catalogResources, UnsupportedResourceError, type CatalogedResource, type ResourceCatalog } from './cloudformation/resource-catalog';
import { startDynamoDb, tableDefinitionFromTemplate, type RunningDynamoDb } from './dynamodb/dynamodb-emulator';
import { EventArchive } from './eventbridge/event-archive';
import { LocalEventBus, type RuleTarget, type TargetDelivery, type TargetKind } from './eventbridge/event-bus';
import { RuleScheduler } from './eventbridge/rule-scheduler';
import { startEventBridgeServer } from './eventbridge/eventbridge-server';
import type { RunningAwsJsonServer } from './http/aws-json-protocol-server';
import { LambdaFunctionPool, type LambdaFunctionError, type LambdaInvocationResult } from './lambda/function-pool';
import { arnFor, DEFAULT_LOCAL_IDENTITY, resourceNameOfArn, type LocalAwsIdentity } from './local-aws-identity';
import { startSecretsManagerServer } from './secrets/secrets-manager-server';
import { SqsEventSourceMapping } from './sqs/event-source-mapping';
import type { MessageAttributes } from './sqs/message-digest';
import { QueueRegistry } from './sqs/queue-registry';
import { startSqsServer, type RunningSqsServer } from './sqs/sqs-json-server';
import { StackActivity } from './stack/stack-activity';
import { startGatewayServer, type RunningGatewayServer } from './stack/gateway-server';
import { LocalStateMachines } from './stepfunctions/local-state-machines';
import { startStepFunctionsServer } from './stepfunctions/step-functions-server';

/**
 * `startLocalStack`: the synthesized stack (`cdk.out`) running on this machine. It reads the template and
 * the Lambda bundles, and starts one emulator per AWS service the template uses, wired the way
 * CloudFormation would wire them: the same bundles, the same environment variables (resolved against the
 * local resources), the same rules, queues, redrive policies, mappings and API routes.
 */

export interface OdooConnection {
  readonly url: string;
  readonly database: string;
  readonly login: string;
  readonly apiKey: string;
}

export interface LocalStackOptions {
  readonly cdkOut: string;
  readonly stackName: string;
  /** Where queues, tables, the archive, executions and secrets live between runs (`.local/`). */
  readonly dataDir: string;
  /** The API and ops console port; 0 picks a free one. */
  readonly port: number;
  readonly host?: string;
  /** The Odoo the functions talk to: it replaces the template's `ODOO_URL`/`ODOO_DB`/`ODOO_LOGIN` and the secret `ODOO_API_KEY_SECRET_NAME` names. */
  readonly odoo: OdooConnection;
  /** Secrets written to `<dataDir>/secrets.json` when the file lacks them (first start). */
  readonly secretSeeds?: Readonly<Record<string, string>>;
  /** Secrets served from memory whatever `secrets.json` holds (credentials given on the command line, a sandbox's key). */
  readonly secretOverrides?: Readonly<Record<string, string>>;
  /** Variables set on every function after the template's (e.g. a quieter `POWERTOOLS_LOG_LEVEL` in tests). */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
  /** `off` disables the stage throttling, to measure the runtime itself (the bench); `template` by default. */
  readonly apiThrottling?: 'template' | 'off';
  /** Routes served on the stack's port before the APIs' (the ops console: local/console/console-routes.ts). */
  readonly httpRoutes?: readonly LocalHttpRoutes[];
}

/** Answers a request on the stack's port and returns true, or returns false to leave it to the APIs. */
export type LocalHttpRoutes = (stack: LocalStack, url: URL, request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export interface AwsEndpoints {
  readonly sqs: string;
  readonly dynamodb: string;
  readonly secretsManager: string;
  readonly eventBridge: string;
  readonly stepFunctions: string;
}

export interface LocalFunction {
  readonly logicalId: string;
  readonly functionName: string;
  readonly pool: LambdaFunctionPool;
  readonly environment: Readonly<Record<string, string>>;
}

export interface LocalRule {
  readonly name: string;
  readonly busName: string;
  readonly eventPattern: unknown;
  readonly targets: readonly RuleTarget[];
}

/** A rule with a `ScheduleExpression` (on the default bus): its targets run at each due time, in UTC. */
export interface LocalScheduleRule {
  readonly name: string;
  readonly scheduleExpression: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly targets: readonly RuleTarget[];
  /** The next due time; `undefined` when the rule is disabled, the stack stopped, or a cron's years are past. */
  nextRun(): Date | undefined;
}

export interface LocalEventSourceMapping {
  readonly queueName: string;
  readonly functionName: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowInSeconds: number;
  readonly maximumConcurrency: number | undefined;
  readonly mapping: SqsEventSourceMapping;
}

export interface LocalStack {
  /** `http://127.0.0.1:<port>`: the API routes and the ops console. */
  readonly url: string;
  readonly endpoints: AwsEndpoints;
  readonly identity: LocalAwsIdentity;
  readonly stackName: string;
  readonly dataDir: string;
  readonly secretsFile: string;
  readonly odoo: Omit<OdooConnection, 'apiKey'>;
  readonly apis: readonly LocalRestApi[];
  readonly queues: QueueRegistry;
  readonly queueNames: readonly string[];
  /** Queues rule targets dead-letter to (`DeadLetterConfig`), where EventBridge puts what it could not deliver. */
  readonly deadLetterQueueNames: readonly string[];
  readonly buses: ReadonlyMap<string, LocalEventBus>;
  /** Rules with an event pattern. */
  readonly rules: readonly LocalRule[];
  /** Rules with a schedule expression (a rule with both is in both lists). */
  readonly scheduleRules: readonly LocalScheduleRule[];
  readonly functions: ReadonlyMap<string, LocalFunction>;
  readonly eventSourceMappings: readonly LocalEventSourceMapping[];
  readonly stateMachines: LocalStateMachines;
  readonly activity: StackActivity;
  readonly ignoredResources: ResourceCatalog['ignored'];
  /** The API URLs with their routes: bare paths, and the same under `/<stage>`. */
  webhookUrls(): { method: string; url: string; stageUrl: string; functionName: string }[];
  invokeFunction(functionName: string, event: unknown): Promise<LambdaInvocationResult>;
  /** Moves a DLQ's messages back to the queue whose redrive policy names it. */
  redrive(deadLetterQueueName: string): number;
  /** Runs a schedule rule's targets now, as when it is due (the event's `time` is now). */
  runScheduleRule(ruleName: string): Promise<void>;
  /** Re-delivers the archived events of a window to the bus's rules, as an EventBridge replay. */
  replay(request: { busName?: string; from: Date; to: Date; replayName?: string }): Promise<number>;
  /** Stops every poller and server; data stays on disk. */
  stop(): Promise<void>;
}

/** Odoo connection variables the functions read (functions/platform/env.ts), overridden with the configured Odoo. */
const ODOO_ENVIRONMENT = { url: 'ODOO_URL', database: 'ODOO_DB', login: 'ODOO_LOGIN' } as const;
const ODOO_API_KEY_SECRET_VARIABLE = 'ODOO_API_KEY_SECRET_NAME';
/**
 * Concurrent executions of a function without reserved concurrency. AWS allows up to the account's
 * 1000; on a laptop each execution is a worker thread with its own heap, so a burst of webhooks is
 * queued beyond this many instead of starting hundreds of threads.
 */
const LOCAL_CONCURRENCY_PER_FUNCTION = 8;

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const assembly = readSynthesizedStack(options.cdkOut, options.stackName);
  const identity: LocalAwsIdentity = { ...DEFAULT_LOCAL_IDENTITY, region: assembly.region };
  mkdirSync(options.dataDir, { recursive: true });
  const closers: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close();
  };

  try {
    const activity = new StackActivity();
    const queues = new QueueRegistry({
      dataDirectory: options.dataDir,
      identity,
      onMessageVisible: (_queue, message) => {
        if (activity.tracing) activity.recordHop('sqs.visible', message.body);
      },
    });
    closers.push(() => queues.close());
    const sqsServer: RunningSqsServer = await startSqsServer({ registry: queues });
    closers.push(() => sqsServer.close());

    const catalog = catalogResources(assembly.template, { identity, stackName: options.stackName, endpoints: { sqs: sqsServer.url } });

    const queueNames = createQueues(catalog, queues);
    // Receipts of the previous run died with it: see DurableQueue.releaseInFlightMessages.
    for (const name of queueNames) queues.queueNamed(name).releaseInFlightMessages();

    const dynamodb: RunningDynamoDb = await startDynamoDb({
      dataDirectory: join(options.dataDir, 'dynamodb'),
      region: identity.region,
      tables: [...catalog.ofType('AWS::DynamoDB::GlobalTable'), ...catalog.ofType('AWS::DynamoDB::Table')].map((table) =>
        tableDefinitionFromTemplate(table.physicalName, catalog.resolve(table, '') as Record<string, unknown>),
      ),
    });
    closers.push(() => dynamodb.close());

    // The function registry exists before the services that call into it (buses, state machines); it is
    // filled once every endpoint the functions need is up. Workers start lazily, on first invocation.
    const functions = new Map<string, LocalFunction>();
    const invokeFunction = (functionName: string, event: unknown): Promise<LambdaInvocationResult> => {
      const target = functions.get(functionName);
      if (!target) return Promise.reject(new Error(`Function not found: ${functionName}`));
      return activity.recordInvocation(functionName, () => target.pool.invoke(event), event);
    };

    const stateMachines = new LocalStateMachines({ dataDirectory: options.dataDir, identity, invokeFunction });
    closers.push(() => stateMachines.close());
    for (const resource of catalog.ofType('AWS::StepFunctions::StateMachine')) {
      stateMachines.define(resource.physicalName, stateMachineDefinition(catalog, resource));
    }

    // Lambda's asynchronous invocation (what an EventBridge rule does): a failed run is retried the function's
    // `AWS::Lambda::EventInvokeConfig` `MaximumRetryAttempts` times (AWS's default 2), then the event goes to its
    // `OnFailure` queue destination (Lambda's destination record) and to the function's own `DeadLetterConfig` queue
    // (the event, with Lambda's error attributes), whichever it has; with neither it is dropped, as on AWS. AWS waits
    // about 1 and 2 minutes before the retries; here 1 and 2 seconds, so a developer sees the outcome.
    const asyncInvokeConfigs = eventInvokeConfigs(catalog);
    const asyncDeadLetterQueues = new Map(
      catalog.ofType('AWS::Lambda::Function').flatMap((resource) => {
        const targetArn = (catalog.resolve(resource, 'DeadLetterConfig') as { TargetArn?: unknown } | undefined)?.TargetArn;
        return typeof targetArn === 'string' ? [[resource.physicalName, targetArn] as const] : [];
      }),
    );
    const pendingAsyncRetries = new Set<NodeJS.Timeout>();
    closers.push(async () => {
      for (const timer of pendingAsyncRetries) clearTimeout(timer);
      pendingAsyncRetries.clear();
    });
    const asyncInvocationFailed = async (functionName: string, event: unknown, result: Extract<LambdaInvocationResult, { status: 'failed' }>, attempts: number) => {
      const onFailureQueueArn = asyncInvokeConfigs.get(functionName)?.onFailureQueueArn;
      const deadLetterQueueArn = asyncDeadLetterQueues.get(functionName);
      if (onFailureQueueArn === undefined && deadLetterQueueArn === undefined) {
        console.error(`[lambda] ${functionName}: asynchronous invocation failed after its retries, no destination: ${result.error.errorType}: ${result.error.errorMessage}`);
        return;
      }
      if (onFailureQueueArn !== undefined) {
        await queues.queueByArn(onFailureQueueArn).send({
          body: JSON.stringify({
            version: '1.0',
            timestamp: new Date().toISOString(),
            requestContext: { requestId: result.requestId, functionArn: arnFor(identity, 'lambda', `function:${functionName}`), condition: 'RetriesExhausted', approximateInvokeCount: attempts },
            requestPayload: event,
            responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
            responsePayload: { errorType: result.error.errorType, errorMessage: result.error.errorMessage },
          }),
        });
      }
      if (deadLetterQueueArn !== undefined) {
        const text = (value: string) => ({ DataType: 'String', StringValue: value.slice(0, 1000) });
        await queues
          .queueByArn(deadLetterQueueArn)
          .send({ body: JSON.stringify(event), messageAttributes: { RequestID: text(result.requestId), ErrorCode: text('200'), ErrorMessage: text(`${result.error.errorType}: ${result.error.errorMessage}`) } });
      }
    };
    const invokeAsynchronously = (functionName: string, event: unknown, attempt = 1): void => {
      const retries = asyncInvokeConfigs.get(functionName)?.maximumRetryAttempts ?? ASYNC_INVOKE_RETRIES;
      void invokeFunction(functionName, event).then(
        (result) => {
          if (result.status !== 'failed') return;
          if (attempt <= retries) {
            const timer = setTimeout(() => {
              pendingAsyncRetries.delete(timer);
              invokeAsynchronously(functionName, event, attempt + 1);
            }, attempt * 1000);
            pendingAsyncRetries.add(timer);
            return;
          }
          asyncInvocationFailed(functionName, event, result, attempt).catch((error: unknown) =>
            console.error(`[lambda] ${functionName}: could not hand over a failed asynchronous invocation: ${String(error)}`),
          );
        },
        () => undefined,
      );
    };

    const dispatchers: TargetDispatchers = {
      sqs: async ({ target, input }, messageAttributes) => {
        await queues.queueByArn(target.arn).send({
          body: input,
          ...(target.sqsMessageGroupId ? { messageGroupId: target.sqsMessageGroupId } : {}),
          ...(messageAttributes ? { messageAttributes } : {}),
        });
      },
      lambda: async ({ target, input }) => {
        // EventBridge invokes asynchronously: the delivery succeeds once Lambda accepted the event.
        invokeAsynchronously(resourceNameOfArn(target.arn), JSON.parse(input));
      },
      sfn: async ({ target, input }) => {
        stateMachines.startExecution({ stateMachineArn: target.arn, input });
      },
    };
    const buses = createBuses(catalog, options.dataDir, identity, activity, dispatchers, {
      ...dispatchers,
      // A scheduled run is one invocation nobody watches (on AWS its error shows only in the function's
      // metrics): locally the rule waits for the result, so a failed run is logged and counted on the rule.
      lambda: async ({ target, input }) => {
        const functionName = resourceNameOfArn(target.arn);
        const result = await invokeFunction(functionName, JSON.parse(input));
        if (result.status === 'failed') throw new ScheduledRunFailedError(functionName, result.error);
      },
    });
    closers.push(() => {
      for (const archive of buses.archives) archive.close();
    });

    const secretsFile = join(options.dataDir, 'secrets.json');
    seedSecrets(secretsFile, options.secretSeeds ?? {});
    const eventBridgeServer = await startEventBridgeServer({
      buses: buses.buses,
      onPut: (entry, result, { receivedAt }) => {
        if (activity.tracing) {
          activity.recordHop('events.received', entry.Detail ?? '', receivedAt);
          activity.recordHop('events.answered', entry.Detail ?? '');
        }
        if (!('EventId' in result)) return;
        const detail = safeJson(entry.Detail) as { correlationId?: string; subject?: string } | undefined;
        activity.recordEvent({
          eventId: result.EventId,
          busName: entry.EventBusName ?? 'default',
          source: entry.Source ?? '',
          detailType: entry.DetailType ?? '',
          ...(typeof detail?.correlationId === 'string' ? { correlationId: detail.correlationId } : {}),
          ...(typeof detail?.subject === 'string' ? { subject: detail.subject } : {}),
          receivedAt: new Date().toISOString(),
          matchedRules: [],
        });
      },
    });
    closers.push(() => eventBridgeServer.close());
    const stepFunctionsServer = await startStepFunctionsServer({ stateMachines });
    closers.push(() => stepFunctionsServer.close());

    // The Odoo API key is served under whichever secret name the functions read it from.
    const functionResources = catalog.ofType('AWS::Lambda::Function');
    const templateEnvironments = new Map(functionResources.map((resource) => [resource.logicalId, functionEnvironment(catalog, resource, options)]));
    const odooApiKeySecretNames = [...templateEnvironments.values()].flatMap((environment) => environment[ODOO_API_KEY_SECRET_VARIABLE] ?? []);
    const secretsServer: RunningAwsJsonServer = await startSecretsManagerServer({
      secretsFile,
      identity,
      overrides: { ...options.secretOverrides, ...Object.fromEntries(odooApiKeySecretNames.map((name) => [name, options.odoo.apiKey])) },
    });
    closers.push(() => secretsServer.close());

    const endpoints: AwsEndpoints = {
      sqs: sqsServer.url,
      dynamodb: dynamodb.url,
      secretsManager: secretsServer.url,
      eventBridge: eventBridgeServer.url,
      stepFunctions: stepFunctionsServer.url,
    };

    for (const resource of functionResources) {
      const environment = { ...templateEnvironments.get(resource.logicalId), ...sdkEndpointEnvironment(endpoints), ...options.functionEnvironment };
      const pool = new LambdaFunctionPool(
        {
          functionName: resource.physicalName,
          codeDirectory: codeDirectoryOf(assembly, resource),
          handler: String(resource.properties['Handler'] ?? 'index.handler'),
          environment,
          timeoutSeconds: Number(resource.properties['Timeout'] ?? 3),
          memorySizeMb: Number(resource.properties['MemorySize'] ?? 128),
          reservedConcurrency: Number(resource.properties['ReservedConcurrentExecutions'] ?? LOCAL_CONCURRENCY_PER_FUNCTION),
          // Callers wait for a free execution rather than fail: locally the cap stands for capacity, not a quota.
          whenThrottled: 'wait',
        },
        { identity },
      );
      functions.set(resource.physicalName, { logicalId: resource.logicalId, functionName: resource.physicalName, environment, pool });
      closers.push(() => pool.close());
    }

    const eventSourceMappings = createEventSourceMappings(catalog, queues, functions, invokeFunction, activity);
    closers.push(async () => {
      await Promise.all(eventSourceMappings.map(({ mapping }) => mapping.stop()));
    });

    const apis = restApisFromTemplate(catalog, identity, invokeFunction);
    if (options.apiThrottling === 'off') for (const api of apis) api.disableThrottling();

    const localStack: LocalStack = {
      url: '',
      endpoints,
      identity,
      stackName: options.stackName,
      dataDir: options.dataDir,
      secretsFile,
      odoo: { url: options.odoo.url, database: options.odoo.database, login: options.odoo.login },
      apis,
      queues,
      queueNames,
      deadLetterQueueNames: buses.targetDeadLetterQueueArns.map((arn) => queues.queueByArn(arn).name),
      buses: buses.buses,
      rules: buses.rules,
      scheduleRules: buses.scheduleRules,
      functions,
      eventSourceMappings,
      stateMachines,
      activity,
      ignoredResources: catalog.ignored,
      webhookUrls: () =>
        apis.flatMap((api) =>
          api.describeRoutes().map((route) => ({
            method: route.httpMethod,
            url: `${localStack.url}${route.resourcePath}`,
            stageUrl: `${localStack.url}/${api.stageName}${route.resourcePath}`,
            functionName: route.functionName,
          })),
        ),
      invokeFunction,
      redrive: (deadLetterQueueName) => {
        const deadLetterQueueArn = queues.queueNamed(deadLetterQueueName).arn;
        const sources = queueNames.filter((name) => queues.queueNamed(name).redrivePolicy?.deadLetterTargetArn === deadLetterQueueArn);
        if (sources.length !== 1) throw new Error(`${deadLetterQueueName} is the dead-letter queue of ${sources.length === 0 ? 'no queue' : `${sources.length} queues`}: nothing to redrive to`);
        return queues.redrive({ deadLetterQueueName, destinationQueueName: sources[0] as string });
      },
      runScheduleRule: (ruleName) => buses.scheduler.fire(ruleName),
      replay: async ({ busName, from, to, replayName }) => {
        const bus = buses.buses.get(busName ?? buses.defaultArchivedBus ?? 'default');
        if (!bus) throw new Error(`no event bus ${busName ?? '(with an archive)'}`);
        const { replayedEventCount } = await bus.replay({ replayName: replayName ?? `local-replay-${Date.now()}`, from, to });
        return replayedEventCount;
      },
      stop,
    };

    const gateway: RunningGatewayServer = await startGatewayServer({ stack: localStack, port: options.port, host: options.host ?? '127.0.0.1', routes: options.httpRoutes ?? [] });
    closers.push(() => gateway.close());
    Object.assign(localStack, { url: gateway.url });

    // Pollers start last: every function, queue and endpoint they need exists by now.
    for (const { mapping } of eventSourceMappings) mapping.start();
    stateMachines.resumeInterruptedExecutions();
    closers.push(() => buses.scheduler.stop());
    buses.scheduler.start();
    for (const rule of buses.scheduleRules) {
      const nextRun = rule.nextRun();
      const when = rule.state === 'DISABLED' ? 'disabled' : nextRun ? `next run ${nextRun.toISOString()}` : 'no run ahead';
      console.log(`[eventbridge] schedule rule ${rule.name} ${rule.scheduleExpression}: ${when}`);
    }
    return localStack;
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

function createQueues(catalog: ResourceCatalog, queues: QueueRegistry): string[] {
  return catalog.ofType('AWS::SQS::Queue').map((resource) => {
    const properties = catalog.resolve(resource, '') as Record<string, unknown>;
    const redrive = properties['RedrivePolicy'] as { deadLetterTargetArn?: string; maxReceiveCount?: number | string } | undefined;
    queues.createQueue({
      name: resource.physicalName,
      ...(properties['VisibilityTimeout'] !== undefined ? { visibilityTimeoutSeconds: Number(properties['VisibilityTimeout']) } : {}),
      ...(properties['MessageRetentionPeriod'] !== undefined ? { messageRetentionSeconds: Number(properties['MessageRetentionPeriod']) } : {}),
      ...(properties['DelaySeconds'] !== undefined ? { delaySeconds: Number(properties['DelaySeconds']) } : {}),
      ...(properties['ContentBasedDeduplication'] !== undefined ? { contentBasedDeduplication: properties['ContentBasedDeduplication'] === true } : {}),
      ...(redrive?.deadLetterTargetArn ? { redrivePolicy: { deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount) } } : {}),
    });
    return resource.physicalName;
  });
}

type TargetDispatchers = Record<TargetKind, (delivery: TargetDelivery, messageAttributes?: MessageAttributes) => Promise<void>>;

/** Lambda's retries of a failed asynchronous invocation (its default `MaximumRetryAttempts`). */
const ASYNC_INVOKE_RETRIES = 2;

/** A function that a schedule rule invoked returned an error: the event was delivered, the run failed. */
class ScheduledRunFailedError extends Error {
  constructor(functionName: string, error: LambdaFunctionError) {
    super(`${functionName} failed: ${error.errorType}: ${error.errorMessage}`);
    this.name = 'ScheduledRunFailedError';
  }
}

function createBuses(
  catalog: ResourceCatalog,
  dataDir: string,
  identity: LocalAwsIdentity,
  activity: StackActivity,
  dispatchers: TargetDispatchers,
  scheduleDispatchers: TargetDispatchers,
): {
  buses: Map<string, LocalEventBus>;
  rules: LocalRule[];
  scheduler: RuleScheduler;
  scheduleRules: LocalScheduleRule[];
  archives: EventArchive[];
  targetDeadLetterQueueArns: string[];
  defaultArchivedBus?: string;
} {
  const busArnToName = new Map<string, string>();
  const busNames = ['default', ...catalog.ofType('AWS::Events::EventBus').map((bus) => bus.physicalName)];
  for (const name of busNames) busArnToName.set(`arn:${identity.partition}:events:${identity.region}:${identity.accountId}:event-bus/${name}`, name);

  const archives = new Map<string, EventArchive>();
  for (const resource of catalog.ofType('AWS::Events::Archive')) {
    const busName = busArnToName.get(String(catalog.resolve(resource, 'SourceArn')));
    if (!busName) throw new UnsupportedResourceError(resource.logicalId, resource.type, 'its SourceArn is not a bus of this stack');
    if (archives.has(busName)) throw new UnsupportedResourceError(resource.logicalId, resource.type, `bus ${busName} already has an archive; locally a bus has one`);
    const eventPattern = catalog.resolve(resource, 'EventPattern');
    archives.set(busName, new EventArchive({ filePath: join(dataDir, 'eventbridge', `${resource.physicalName}.jsonl`), ...(eventPattern ? { eventPattern: eventPattern as never } : {}) }));
  }

  // Counting wraps every dispatcher once, so the console sees each rule's deliveries whatever the target kind.
  const counting = (toCount: TargetDispatchers) =>
    Object.fromEntries(
      Object.entries(toCount).map(([kind, dispatch]) => [
        kind,
        async (delivery: TargetDelivery) => {
          await dispatch(delivery);
          activity.recordDelivery(delivery.ruleName, delivery.event.id);
        },
      ]),
    ) as Record<TargetKind, (delivery: TargetDelivery) => Promise<void>>;
  const counted = counting(dispatchers);

  // EventBridge retries a failing target (up to 24 h) and then sends the event to the target's DLQ with the
  // error as message attributes; locally there is no retry: the event goes to the DLQ at once, so it is visible.
  const targetDeadLetterQueues = new Map<string, string>();
  for (const resource of catalog.ofType('AWS::Events::Rule')) {
    for (const target of (catalog.resolve(resource, 'Targets') as { Id?: string; DeadLetterConfig?: { Arn?: string } }[] | undefined) ?? []) {
      if (target.DeadLetterConfig?.Arn) targetDeadLetterQueues.set(`${resource.physicalName}/${String(target.Id)}`, target.DeadLetterConfig.Arn);
    }
  }
  const deadLetterUndeliveredEvent = (deadLetterQueueArn: string, delivery: TargetDelivery, errorMessage: string) => {
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    dispatchers.sqs({ ...delivery, target: { ...delivery.target, arn: deadLetterQueueArn, kind: 'sqs' } }, {
      ERROR_CODE: text('SDKClientException'),
      ERROR_MESSAGE: text(errorMessage.slice(0, 1000)),
      RULE_ARN: text(`arn:${identity.partition}:events:${identity.region}:${identity.accountId}:rule/${delivery.ruleName}`),
      TARGET_ARN: text(delivery.target.arn),
      FailureReason: text(errorMessage.slice(0, 1000)),
      ErrorType: text('EventBridgeDeliveryFailure'),
    }).catch((dlqError: unknown) => console.error(`[eventbridge] could not dead-letter event ${delivery.event.id}: ${String(dlqError)}`));
  };

  const onDeliveryFailure = (delivery: TargetDelivery, error: unknown) => {
    activity.recordDeliveryFailure(delivery.ruleName);
    const message = (error as Error).message ?? String(error);
    if (error instanceof ScheduledRunFailedError) {
      // Lambda had the event: on AWS the error is the function's (its own retries and destinations), never the rule target's DLQ.
      console.error(`[eventbridge] schedule rule ${delivery.ruleName}: ${message} (event ${delivery.event.id})`);
      return;
    }
    console.error(`[eventbridge] rule ${delivery.ruleName} could not deliver event ${delivery.event.id} to ${delivery.target.arn}: ${message}`);
    const deadLetterQueueArn = targetDeadLetterQueues.get(`${delivery.ruleName}/${delivery.target.id}`);
    if (deadLetterQueueArn) deadLetterUndeliveredEvent(deadLetterQueueArn, delivery, message);
  };

  const buses = new Map<string, LocalEventBus>();
  for (const name of busNames) {
    const archive = archives.get(name);
    const bus = new LocalEventBus({ name, identity, dispatchers: counted, ...(archive ? { archive } : {}), onDeliveryFailure });
    buses.set(name, bus);
  }

  // Scheduled events are not put on the bus (no rule matches them, no archive keeps them); the console
  // lists them with the events, so a developer sees each run.
  const scheduler = new RuleScheduler({
    identity,
    dispatchers: counting(scheduleDispatchers),
    onDeliveryFailure,
    onScheduledEvent: (event) =>
      activity.recordEvent({ eventId: event.id, busName: 'default', source: 'aws.events', detailType: 'Scheduled Event', receivedAt: new Date().toISOString(), matchedRules: [] }),
  });

  const rules: LocalRule[] = [];
  const scheduleRules: LocalScheduleRule[] = [];
  for (const resource of catalog.ofType('AWS::Events::Rule')) {
    const properties = catalog.resolve(resource, '') as Record<string, unknown>;
    const busRef = String(properties['EventBusName'] ?? 'default');
    const busName = busArnToName.get(busRef) ?? busRef;
    const bus = buses.get(busName);
    if (!bus) throw new UnsupportedResourceError(resource.logicalId, resource.type, `its bus ${busName} is not in the template`);
    const targets = ((properties['Targets'] as Record<string, unknown>[] | undefined) ?? []).map((target) => ruleTarget(resource, target));
    const state = properties['State'] === 'DISABLED' ? 'DISABLED' : 'ENABLED';
    const scheduleExpression = properties['ScheduleExpression'];
    if (scheduleExpression !== undefined) {
      const name = resource.physicalName;
      if (busName !== 'default') throw new UnsupportedResourceError(resource.logicalId, resource.type, `a ScheduleExpression runs on the default bus only, as on AWS, not on ${busName}`);
      try {
        scheduler.addRule({ name, scheduleExpression: String(scheduleExpression), targets, state });
      } catch (error) {
        throw new Error(`${resource.logicalId} (${resource.type}): ${(error as Error).message}`, { cause: error });
      }
      scheduleRules.push({ name, scheduleExpression: String(scheduleExpression), state, targets, nextRun: () => scheduler.describe().find((rule) => rule.name === name)?.nextRun });
    }
    if (properties['EventPattern'] === undefined && scheduleExpression !== undefined) continue;
    const rule: LocalRule = { name: resource.physicalName, busName, eventPattern: properties['EventPattern'], targets };
    bus.putRule({ name: rule.name, eventPattern: rule.eventPattern as never, targets, state });
    rules.push(rule);
  }
  const defaultArchivedBus = [...archives.keys()][0];
  return {
    buses,
    rules,
    scheduler,
    scheduleRules,
    archives: [...archives.values()],
    targetDeadLetterQueueArns: [...new Set(targetDeadLetterQueues.values())],
    ...(defaultArchivedBus ? { defaultArchivedBus } : {}),
  };
}

function ruleTarget(rule: CatalogedResource, target: Record<string, unknown>): RuleTarget {
  const arn = String(target['Arn']);
  const service = arn.split(':')[2];
  const kind: TargetKind | undefined = service === 'sqs' ? 'sqs' : service === 'lambda' ? 'lambda' : service === 'states' ? 'sfn' : undefined;
  if (!kind) throw new UnsupportedResourceError(rule.logicalId, rule.type, `target ${String(target['Id'])} (${arn}); locally rules target SQS, Lambda or Step Functions`);
  const sqsParameters = target['SqsParameters'] as { MessageGroupId?: string } | undefined;
  return {
    id: String(target['Id']),
    arn,
    kind,
    ...(typeof target['Input'] === 'string' ? { input: target['Input'] } : {}),
    ...(typeof target['InputPath'] === 'string' ? { inputPath: target['InputPath'] } : {}),
    ...(target['InputTransformer'] ? { inputTransformer: target['InputTransformer'] as never } : {}),
    ...(sqsParameters?.MessageGroupId ? { sqsMessageGroupId: sqsParameters.MessageGroupId } : {}),
  } as RuleTarget;
}

/** Each function's asynchronous invocation settings (AWS::Lambda::EventInvokeConfig), by function name. */
function eventInvokeConfigs(catalog: ResourceCatalog): Map<string, { maximumRetryAttempts?: number; onFailureQueueArn?: string }> {
  const configs = new Map<string, { maximumRetryAttempts?: number; onFailureQueueArn?: string }>();
  for (const resource of catalog.ofType('AWS::Lambda::EventInvokeConfig')) {
    const properties = catalog.resolve(resource, '') as { FunctionName?: unknown; MaximumRetryAttempts?: unknown; DestinationConfig?: { OnFailure?: { Destination?: unknown } } };
    const functionName = String(properties.FunctionName ?? '');
    const destination = properties.DestinationConfig?.OnFailure?.Destination;
    if (typeof destination === 'string' && !destination.includes(':sqs:')) {
      throw new UnsupportedResourceError(resource.logicalId, resource.type, `an OnFailure destination other than an SQS queue (${destination})`);
    }
    configs.set(resourceNameOfArn(functionName) || functionName, {
      ...(properties.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: Number(properties.MaximumRetryAttempts) } : {}),
      ...(typeof destination === 'string' ? { onFailureQueueArn: destination } : {}),
    });
  }
  return configs;
}

function stateMachineDefinition(catalog: ResourceCatalog, resource: CatalogedResource): Record<string, unknown> {
  const fromString = catalog.resolve(resource, 'DefinitionString');
  let text = typeof fromString === 'string' ? fromString : JSON.stringify(catalog.resolve(resource, 'Definition') ?? null);
  const substitutions = (catalog.resolve(resource, 'DefinitionSubstitutions') ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(substitutions)) text = text.replaceAll(`\${${name}}`, String(value));
  const definition = JSON.parse(text) as Record<string, unknown> | null;
  if (!definition) throw new UnsupportedResourceError(resource.logicalId, resource.type, 'no Definition or DefinitionString (DefinitionS3Location is not read locally)');
  return definition;
}

function functionEnvironment(catalog: ResourceCatalog, resource: CatalogedResource, options: LocalStackOptions): Record<string, string> {
  const runtime = String(resource.properties['Runtime'] ?? '');
  if (!runtime.startsWith('nodejs')) throw new UnsupportedResourceError(resource.logicalId, resource.type, `runtime ${runtime || '(image)'}; locally only Node.js functions run`);
  const variables = (catalog.resolve(resource, 'Environment.Variables') ?? {}) as Record<string, unknown>;
  const environment = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, String(value)]));
  for (const [setting, variable] of Object.entries(ODOO_ENVIRONMENT)) {
    if (variable in environment) environment[variable] = options.odoo[setting as keyof typeof ODOO_ENVIRONMENT];
  }
  return environment;
}

/** The SDK v3 in a bundle reads `AWS_ENDPOINT_URL_<SERVICE>`: the code reaches the emulators unchanged. */
function sdkEndpointEnvironment(endpoints: AwsEndpoints): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge,
    AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions,
  };
}

function codeDirectoryOf(assembly: ReturnType<typeof readSynthesizedStack>, resource: CatalogedResource): string {
  const code = resource.properties['Code'] as { S3Key?: unknown; ZipFile?: unknown; ImageUri?: unknown } | undefined;
  if (typeof code?.S3Key !== 'string') {
    throw new UnsupportedResourceError(resource.logicalId, resource.type, 'its code is not a cdk.out asset (inline ZipFile and container images do not run locally)');
  }
  const directory = assembly.assetDirectoryForS3Key(code.S3Key);
  if (!directory || !existsSync(directory)) {
    throw new Error(`The bundle of ${resource.logicalId} (${code.S3Key}) is missing from ${assembly.cdkOut}: run \`npx cdk synth -c stage=local\` again`);
  }
  return directory;
}

function createEventSourceMappings(
  catalog: ResourceCatalog,
  queues: QueueRegistry,
  functions: ReadonlyMap<string, LocalFunction>,
  invokeFunction: (functionName: string, event: unknown) => Promise<LambdaInvocationResult>,
  activity: StackActivity,
): LocalEventSourceMapping[] {
  return catalog.ofType('AWS::Lambda::EventSourceMapping').flatMap((resource) => {
    const properties = catalog.resolve(resource, '') as Record<string, unknown>;
    if (properties['Enabled'] === false) return [];
    const sourceArn = String(properties['EventSourceArn'] ?? '');
    if (sourceArn.split(':')[2] !== 'sqs') throw new UnsupportedResourceError(resource.logicalId, resource.type, `event source ${sourceArn}; locally only SQS sources are polled`);
    const functionRef = String(properties['FunctionName']);
    const functionName = functionRef.startsWith('arn:') ? (functionRef.split(':')[6] ?? functionRef) : functionRef;
    if (!functions.has(functionName)) throw new UnsupportedResourceError(resource.logicalId, resource.type, `function ${functionName} is not in the template`);
    const queue = queues.queueByArn(sourceArn);
    const scaling = properties['ScalingConfig'] as { MaximumConcurrency?: number } | undefined;
    // Lambda's defaults for an SQS source: batches of 10, no batching window.
    const batchSize = Number(properties['BatchSize'] ?? 10);
    const maximumBatchingWindowInSeconds = Number(properties['MaximumBatchingWindowInSeconds'] ?? 0);
    const maximumConcurrency = scaling?.MaximumConcurrency === undefined ? undefined : Number(scaling.MaximumConcurrency);
    const mapping = new SqsEventSourceMapping({
      queue,
      invoke: (event) => invokeFunction(functionName, event),
      batchSize,
      maximumBatchingWindowInSeconds,
      ...(maximumConcurrency !== undefined ? { maximumConcurrency } : {}),
      reportBatchItemFailures: ((properties['FunctionResponseTypes'] as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
      onBatchSettled: (batch) => {
        if (activity.tracing) activity.recordHop('mapping.settled', batch.map((message) => message.body).join('\n'));
      },
    });
    return [{ queueName: queue.name, functionName, batchSize, maximumBatchingWindowInSeconds, maximumConcurrency, mapping }];
  });
}

/** Writes the seeds a first start needs; a value already in the file (edited by the developer) is kept. */
function seedSecrets(secretsFile: string, seeds: Readonly<Record<string, string>>): void {
  const current = existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, unknown>) : {};
  const missing = Object.entries(seeds).filter(([name]) => !(name in current));
  if (missing.length === 0 && existsSync(secretsFile)) return;
  mkdirSync(dirname(secretsFile), { recursive: true });
  writeFileSync(secretsFile, `${JSON.stringify({ ...current, ...Object.fromEntries(missing) }, null, 2)}\n`, { mode: 0o600 });
}

function safeJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
