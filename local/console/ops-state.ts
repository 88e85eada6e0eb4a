import type { LocalRule, LocalStack } from '../runtime/local-stack';

/**
 * The JSON the ops console polls (`GET /_local/state`): each flow as rule → queue → function → downstream
 * with live counts, every queue's depth, the DLQ messages with the reason they failed, recent events
 * with their correlation ids, and saga executions. Built from the emulators on each request.
 */

export interface QueueState {
  readonly name: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  /** Set on a DLQ: the queue its messages are redriven to, when one queue's redrive policy names it. */
  readonly redrivesTo?: string;
  readonly isDeadLetterQueue: boolean;
}

export interface DeadLetterState {
  readonly queue: string;
  readonly messageId: string;
  readonly sentAt: string;
  readonly failureReason: string;
  readonly errorType: string;
  readonly flow?: string;
  readonly correlationId?: string;
  readonly detailType?: string;
  readonly bodyPreview: string;
}

const BODY_PREVIEW_CHARS = 400;
const DEAD_LETTERS_SHOWN = 50;
const EXECUTIONS_SHOWN = 50;
const STATE_DATA_PREVIEW_CHARS = 4000;

export function buildOpsState(stack: LocalStack) {
  const queues = queueStates(stack);
  const queueByArn = new Map(stack.queueNames.map((name) => [stack.queues.queueNamed(name).arn, name]));
  const flowTargets = (targets: LocalRule['targets']) =>
    targets.map((target) => {
      const queueName = target.kind === 'sqs' ? queueByArn.get(target.arn) : undefined;
      const queue = queues.find((candidate) => candidate.name === queueName);
      const deadLetterQueue = queue ? queues.find((candidate) => candidate.redrivesTo === queue.name) : undefined;
      const consumerName = target.kind === 'sqs'
        ? stack.eventSourceMappings.find((mapping) => mapping.queueName === queueName)?.functionName
        : target.kind === 'lambda' ? target.arn.split(':')[6] : undefined;
      return {
        kind: target.kind,
        arn: target.arn,
        ...(queue ? { queue } : {}),
        ...(deadLetterQueue ? { deadLetterQueue } : {}),
        ...(consumerName ? { consumer: functionState(stack, consumerName) } : {}),
      };
    });
  const flows = [
    ...stack.rules.map((rule) => ({
      rule: rule.name,
      bus: rule.busName,
      detailTypes: ((rule.eventPattern as { 'detail-type'?: string[] } | undefined)?.['detail-type'] ?? []) as string[],
      ...stack.activity.deliveriesOf(rule.name),
      targets: flowTargets(rule.targets),
    })),
    ...stack.scheduleRules.map((rule) => {
      const nextRun = rule.nextRun();
      return {
        rule: rule.name,
        bus: 'default',
        detailTypes: ['Scheduled Event'],
        schedule: { expression: rule.scheduleExpression, state: rule.state, ...(nextRun ? { nextRun: nextRun.toISOString() } : {}) },
        ...stack.activity.deliveriesOf(rule.name),
        targets: flowTargets(rule.targets),
      };
    }),
  ];
  return {
    stack: { name: stack.stackName, region: stack.identity.region, dataDir: stack.dataDir, odoo: stack.odoo },
    webhooks: stack.webhookUrls(),
    flows,
    queues,
    deadLetters: deadLetterStates(stack, queues),
    recentEvents: stack.activity.recentEvents(),
    functions: [...stack.functions.keys()].map((name) => functionState(stack, name)),
    executions: stack.stateMachines
      .listExecutions()
      .sort((left, right) => right.startDate - left.startDate)
      .slice(0, EXECUTIONS_SHOWN)
      .map(({ executionArn, stateMachineArn, name, status, startDate, stopDate, error, cause, states, redriveCount }) => ({
        executionArn,
        stateMachine: stateMachineArn.split(':').pop(),
        name,
        status,
        startedAt: new Date(startDate).toISOString(),
        ...(stopDate !== undefined ? { stoppedAt: new Date(stopDate).toISOString() } : {}),
        ...(error !== undefined ? { error, cause } : {}),
        // As RedriveExecution accepts it (local/runtime/stepfunctions/local-state-machines.ts).
        redrivable: status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED',
        redriveCount: redriveCount ?? 0,
        // Each state as it ran: what the AWS console's execution graph shows when a state is selected.
        states: (states ?? []).map((state) => ({
          name: state.name,
          type: state.type,
          status: state.status,
          retries: state.retries,
          enteredAt: new Date(state.enteredAt).toISOString(),
          input: preview(state.input),
          ...(state.output !== undefined ? { output: preview(state.output) } : {}),
          ...(state.error !== undefined ? { error: state.error, cause: state.cause ?? '' } : {}),
        })),
      })),
  };
}

export type OpsState = ReturnType<typeof buildOpsState>;

/** A state's input or output as JSON, cut where it would swamp the page (the full one is in the runtime's journal). */
function preview(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  return text.length > STATE_DATA_PREVIEW_CHARS ? `${text.slice(0, STATE_DATA_PREVIEW_CHARS)}…` : text;
}

function queueStates(stack: LocalStack): QueueState[] {
  const arnToName = new Map(stack.queueNames.map((name) => [stack.queues.queueNamed(name).arn, name]));
  const redrivenTo = new Map<string, string[]>();
  for (const name of stack.queueNames) {
    const target = stack.queues.queueNamed(name).redrivePolicy?.deadLetterTargetArn;
    const deadLetterQueue = target ? arnToName.get(target) : undefined;
    if (deadLetterQueue) redrivenTo.set(deadLetterQueue, [...(redrivenTo.get(deadLetterQueue) ?? []), name]);
  }
  // EventBridge target DLQs are dead-letter queues too, though no queue redrives to them.
  const ruleTargetDeadLetterQueues = new Set(stack.deadLetterQueueNames);
  return stack.queueNames.map((name) => {
    const attributes = stack.queues.queueNamed(name).attributes();
    const sources = redrivenTo.get(name) ?? [];
    return {
      name,
      visible: Number(attributes['ApproximateNumberOfMessages']),
      inFlight: Number(attributes['ApproximateNumberOfMessagesNotVisible']),
      delayed: Number(attributes['ApproximateNumberOfMessagesDelayed']),
      isDeadLetterQueue: sources.length > 0 || ruleTargetDeadLetterQueues.has(name),
      ...(sources.length === 1 ? { redrivesTo: sources[0] } : {}),
    };
  });
}

function deadLetterStates(stack: LocalStack, queues: readonly QueueState[]): DeadLetterState[] {
  return queues
    .filter((queue) => queue.isDeadLetterQueue)
    .flatMap((queue) =>
      stack.queues.queueNamed(queue.name).storedMessages().map((message): DeadLetterState => {
        const attribute = (name: string) => message.messageAttributes[name]?.StringValue;
        const body = parseJson(message.body) as { 'detail-type'?: string; detail?: { correlationId?: string } } | undefined;
        const correlationId = attribute('CorrelationId') ?? body?.detail?.correlationId;
        const flow = attribute('Flow');
        const detailType = body?.['detail-type'];
        return {
          queue: queue.name,
          messageId: message.messageId,
          sentAt: new Date(message.sentTimestamp).toISOString(),
          // The consumer's own reason first; else what the event source mapping last recorded.
          failureReason: attribute('FailureReason') ?? message.lastError ?? '(no reason recorded)',
          errorType: attribute('ErrorType') ?? (message.lastError ? message.lastError.split(':')[0] ?? '' : ''),
          ...(flow ? { flow } : {}),
          ...(typeof correlationId === 'string' ? { correlationId } : {}),
          ...(typeof detailType === 'string' ? { detailType } : {}),
          bodyPreview: message.body.slice(0, BODY_PREVIEW_CHARS),
        };
      }),
    )
    .slice(0, DEAD_LETTERS_SHOWN);
}

function functionState(stack: LocalStack, functionName: string) {
  const activity = stack.activity.activityOf(functionName);
  return {
    functionName,
    invocations: activity.invocations,
    errors: activity.errors,
    running: activity.running,
    averageMs: activity.invocations === 0 ? 0 : Math.round(activity.totalDurationMs / activity.invocations),
    downstream: downstreamOf(stack.functions.get(functionName)?.environment ?? {}, stack),
  };
}

/** What a function writes to, read from its environment: Odoo and the tables it is bound to. */
function downstreamOf(environment: Readonly<Record<string, string>>, stack: LocalStack): string[] {
  const downstream: string[] = [];
  if (environment['ODOO_URL']) downstream.push(`Odoo ${stack.odoo.url} (${stack.odoo.database})`);
  if (environment['EVENT_BUS_NAME']) downstream.push(`bus ${environment['EVENT_BUS_NAME']}`);
  for (const [name, value] of Object.entries(environment)) if (name.endsWith('_TABLE')) downstream.push(`table ${value}`);
  return downstream;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
