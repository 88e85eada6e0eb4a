import './promise-with-resolvers';
import { StateMachine } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { LambdaInvocationResult } from '../lambda/function-pool';
import { arnFor, resourceNameOfArn, type LocalAwsIdentity } from '../local-aws-identity';
import { DurableJournal } from '../storage/durable-journal';

/**
 * Step Functions standard workflows in process: aws-local-stepfunctions interprets the Amazon States
 * Language, and every Task state is routed here to the local Lambda functions, so a saga's steps run the
 * same bundles as in AWS. Executions are journaled under the data directory: `DescribeExecution` answers
 * after a restart, and an execution the runtime was killed in the middle of is started again from its
 * input (saga steps are idempotent by design, with deterministic ids), rather than lost.
 *
 * Each execution keeps its states as they ran (input, output, error, retries: what the AWS console's graph and
 * history show), and `RedriveExecution` continues a failed, timed-out or aborted one from the state that did not
 * complete, with that state's input, as AWS does: the states that succeeded are not run again.
 */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One state of an execution as it ran (a state run again — a loop, a redrive — has one record per run). */
export interface ExecutionStateRecord {
  readonly name: string;
  readonly type: string;
  /** `CAUGHT`: failed, and a Catch moved the execution on (to a compensation). */
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CAUGHT';
  readonly input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Attempts after the first (Retry). */
  retries: number;
  readonly enteredAt: number;
  exitedAt?: number;
}

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** The states as they ran, in order. */
  states?: ExecutionStateRecord[];
  redriveCount?: number;
  redriveDate?: number;
}

export class StateMachineDefinitionError extends Error {
  constructor(stateMachine: string, reason: string) {
    super(`State machine ${stateMachine} cannot run locally: ${reason}`);
    this.name = 'StateMachineDefinitionError';
  }
}

export class ExecutionAlreadyExistsError extends Error {
  constructor(executionArn: string) {
    super(`Execution Already Exists: '${executionArn}'`);
    this.name = 'ExecutionAlreadyExists';
  }
}

export class ExecutionNotRedrivableError extends Error {
  constructor(executionArn: string, reason: string) {
    super(`Execution ${executionArn} cannot be redriven: ${reason}`);
    this.name = 'ExecutionNotRedrivable';
  }
}

export type InvokeFunctionByName = (functionName: string, payload: unknown) => Promise<LambdaInvocationResult>;

interface DefinedStateMachine {
  readonly arn: string;
  readonly name: string;
  readonly machine: StateMachine;
  readonly definition: Record<string, unknown>;
  readonly taskHandlers: Record<string, (input: unknown) => Promise<unknown>>;
}

type JournalRecord = { readonly type: 'execution'; readonly execution: ExecutionRecord };

interface StateDefinition {
  Type?: string;
  Resource?: string;
  States?: Record<string, StateDefinition>;
  Iterator?: { States?: Record<string, StateDefinition> };
  ItemProcessor?: { States?: Record<string, StateDefinition> };
  Branches?: { States?: Record<string, StateDefinition> }[];
}

const LAMBDA_INVOKE_INTEGRATION = /^arn:[^:]+:states:::lambda:invoke$/;
const LAMBDA_FUNCTION_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/;

export class LocalStateMachines {
  private readonly stateMachines = new Map<string, DefinedStateMachine>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly journal: DurableJournal<JournalRecord>;

  constructor(
    private readonly options: {
      readonly dataDirectory: string;
      readonly identity: LocalAwsIdentity;
      readonly invokeFunction: InvokeFunctionByName;
    },
  ) {
    this.journal = new DurableJournal(join(options.dataDirectory, 'stepfunctions', 'executions.jsonl'));
    for (const record of this.journal.readAll()) this.executions.set(record.execution.executionArn, record.execution);
  }

  /** Registers a state machine; a Task state the runtime cannot run stops the start here, naming it. */
  define(name: string, definition: Record<string, unknown>): string {
    const arn = arnFor(this.options.identity, 'states', `stateMachine:${name}`);
    const taskHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of taskStates(definition as StateDefinition)) {
      taskHandlers[stateName] = this.taskHandler(name, stateName, state.Resource ?? '');
    }
    let machine: StateMachine;
    try {
      machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    } catch (error) {
      throw new StateMachineDefinitionError(name, (error as Error).message);
    }
    this.stateMachines.set(arn, { arn, name, machine, definition, taskHandlers });
    return arn;
  }

  /** Starts again the executions a previous run of the runtime left RUNNING. */
  resumeInterruptedExecutions(): number {
    let resumed = 0;
    for (const execution of this.executions.values()) {
      const stateMachine = this.stateMachines.get(execution.stateMachineArn);
      if (execution.status !== 'RUNNING' || !stateMachine || this.running.has(execution.executionArn)) continue;
      this.run(stateMachine, execution);
      resumed += 1;
    }
    return resumed;
  }

  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): ExecutionRecord {
    const stateMachine = this.stateMachines.get(request.stateMachineArn);
    if (!stateMachine) throw Object.assign(new Error(`State Machine Does Not Exist: '${request.stateMachineArn}'`), { name: 'StateMachineDoesNotExist' });
    const name = request.name ?? randomUUID();
    const input = request.input ?? '{}';
    const executionArn = arnFor(this.options.identity, 'states', `execution:${stateMachine.name}:${name}`);
    const existing = this.executions.get(executionArn);
    // StartExecution is idempotent for the same name and input while the execution runs, as in AWS.
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new ExecutionAlreadyExistsError(executionArn);
    }
    const execution: ExecutionRecord = { executionArn, stateMachineArn: stateMachine.arn, name, input, startDate: Date.now(), status: 'RUNNING' };
    this.save(execution);
    this.run(stateMachine, execution);
    return execution;
  }

  /**
   * Continues an unsuccessful execution from the state that did not complete (the last one entered that neither
   * succeeded nor was caught), with the input it had; the states before it keep their results and do not run again.
   */
  redriveExecution(executionArn: string): ExecutionRecord {
    const execution = this.executions.get(executionArn);
    if (!execution) throw Object.assign(new Error(`Execution Does Not Exist: '${executionArn}'`), { name: 'ExecutionDoesNotExist' });
    if (execution.status === 'RUNNING' || execution.status === 'SUCCEEDED') throw new ExecutionNotRedrivableError(executionArn, `it is ${execution.status}`);
    const stateMachine = this.stateMachines.get(execution.stateMachineArn);
    if (!stateMachine) throw new ExecutionNotRedrivableError(executionArn, 'its state machine is not defined');
    const unsuccessful = [...(execution.states ?? [])].reverse().find((state) => state.status === 'FAILED' || state.status === 'RUNNING');
    if (!unsuccessful) throw new ExecutionNotRedrivableError(executionArn, 'no state of it failed (nothing to continue from)');
    const machine = this.machineStartingAt(stateMachine, unsuccessful.name);
    Object.assign(execution, { status: 'RUNNING', redriveCount: (execution.redriveCount ?? 0) + 1, redriveDate: Date.now() });
    delete execution.stopDate;
    delete execution.error;
    delete execution.cause;
    delete execution.output;
    this.save(execution);
    this.run({ ...stateMachine, machine }, execution, unsuccessful.input);
    return execution;
  }

  describeExecution(executionArn: string): ExecutionRecord | undefined {
    return this.executions.get(executionArn);
  }

  listExecutions(stateMachineArn?: string): ExecutionRecord[] {
    return [...this.executions.values()].filter((execution) => !stateMachineArn || execution.stateMachineArn === stateMachineArn);
  }

  stateMachineArns(): string[] {
    return [...this.stateMachines.keys()];
  }

  /** Resolves when every running execution has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  close(): void {
    this.journal.close();
  }

  /** The same definition entered at another state: how a redrive continues where the execution stopped. */
  private machineStartingAt(stateMachine: DefinedStateMachine, stateName: string): StateMachine {
    try {
      // Validated whole at define(); entered elsewhere, the states before this one are unreachable, which the check refuses.
      return new StateMachine({ ...stateMachine.definition, StartAt: stateName } as never, { validationOptions: { noValidate: true } });
    } catch (error) {
      throw new StateMachineDefinitionError(stateMachine.name, (error as Error).message);
    }
  }

  private run(stateMachine: DefinedStateMachine, execution: ExecutionRecord, redriveInput?: unknown): void {
    let executionInput: unknown;
    try {
      executionInput = JSON.parse(execution.input);
    } catch {
      executionInput = execution.input;
    }
    const input = redriveInput ?? executionInput;
    const run = stateMachine.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: stateMachine.taskHandlers as never },
      context: { Execution: { Id: execution.executionArn, Name: execution.name, Input: executionInput, StartTime: new Date(execution.startDate).toISOString() } } as never,
    });
    const states = (execution.states ??= []);
    const recorded = (async () => {
      for await (const event of run.eventLogs) recordStateEvent(states, event as StateEvent);
    })().catch(() => undefined);
    // The log closes on success or failure; a timeout does not close it, hence the bound.
    const statesRecorded = () => Promise.race([recorded, new Promise((resolve) => setTimeout(resolve, 100))]);
    const finished = run.result.then(
      async (output) => {
        await statesRecorded();
        this.finish(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) });
      },
      async (error: Error & { cause?: unknown }) => {
        await statesRecorded();
        const timedOut = error.name === 'ExecutionTimeoutError';
        const failure = executionFailure(error);
        this.finish(execution, { status: timedOut ? 'TIMED_OUT' : 'FAILED', ...failure });
      },
    );
    this.running.set(execution.executionArn, finished.finally(() => this.running.delete(execution.executionArn)));
  }

  private finish(execution: ExecutionRecord, outcome: Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>): void {
    Object.assign(execution, outcome, { stopDate: Date.now() });
    this.save(execution);
  }

  private save(execution: ExecutionRecord): void {
    this.executions.set(execution.executionArn, execution);
    this.journal.append({ type: 'execution', execution }, { sync: true });
  }

  /**
   * A Task's local handler. `lambda:invoke` (the optimized integration CDK's LambdaInvoke uses) receives
   * `{ FunctionName, Payload }` and answers Lambda's Invoke output; a bare function ARN receives and
   * answers the payload. A function error becomes a States error named after the Lambda `errorType`, with
   * the error as `Cause`, so Retry/Catch on it behave as in AWS.
   */
  private taskHandler(stateMachineName: string, stateName: string, resource: string): (input: unknown) => Promise<unknown> {
    if (LAMBDA_INVOKE_INTEGRATION.test(resource)) {
      return async (input) => {
        const { FunctionName: functionName, Payload: payload } = (input ?? {}) as { FunctionName?: string; Payload?: unknown };
        if (typeof functionName !== 'string') throw Object.assign(new Error('FunctionName is required'), { name: 'States.Runtime' });
        const result = await this.invoke(functionName, payload);
        return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: randomUUID() } };
      };
    }
    if (LAMBDA_FUNCTION_ARN.test(resource)) return (input) => this.invoke(resource, input);
    throw new StateMachineDefinitionError(stateMachineName, `Task state "${stateName}" uses ${resource}; locally only Lambda tasks run (lambda:invoke or a function ARN)`);
  }

  private async invoke(functionNameOrArn: string, payload: unknown): Promise<unknown> {
    // `name`, `name:qualifier`, or a function ARN with or without a qualifier.
    const functionName = functionNameOrArn.startsWith('arn:') ? (functionNameOrArn.split(':')[6] ?? resourceNameOfArn(functionNameOrArn)) : functionNameOrArn.split(':')[0] ?? functionNameOrArn;
    const result = await this.options.invokeFunction(functionName, payload);
    if (result.status === 'succeeded') return result.payload;
    const cause = JSON.stringify({ errorType: result.error.errorType, errorMessage: result.error.errorMessage, trace: result.error.stack?.split('\n') ?? [] });
    throw Object.assign(new Error(cause), { name: result.error.errorType });
  }
}

type StateEvent = {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  index?: number;
  Error?: string;
  Cause?: unknown;
};

/** The library's event log → the states as they ran (top-level states only: a Map's or Parallel's inner ones carry `index`). */
function recordStateEvent(states: ExecutionStateRecord[], event: StateEvent): void {
  if (!event.state || event.index !== undefined) return;
  const { name, type, input } = event.state;
  const current = [...states].reverse().find((state) => state.name === name);
  switch (event.type) {
    case 'StateEntered':
      states.push({ name, type, status: 'RUNNING', input, retries: 0, enteredAt: event.timestamp });
      return;
    case 'StateExited':
      // A caught state exits too (towards its Catch's Next): it stays CAUGHT, with the error output as its output.
      if (current) Object.assign(current, { status: current.status === 'CAUGHT' ? 'CAUGHT' : 'SUCCEEDED', output: event.state.output, exitedAt: event.timestamp });
      return;
    case 'StateFailed':
      if (current) {
        Object.assign(current, { status: 'FAILED', error: event.Error, exitedAt: event.timestamp });
        current.cause = typeof event.Cause === 'string' ? event.Cause : event.Cause instanceof Error ? event.Cause.message : JSON.stringify(event.Cause ?? null);
      }
      return;
    case 'StateRetried':
      if (current) Object.assign(current, { status: 'RUNNING', retries: current.retries + 1 });
      return;
    case 'StateCaught':
      if (current) current.status = 'CAUGHT';
      return;
  }
}

function executionFailure(error: Error & { cause?: unknown }): { error: string; cause: string } {
  // The library wraps the failing state's error; its own `cause` carries the States error name and Cause.
  const inner = error.cause as (Error & { cause?: unknown }) | undefined;
  if (inner instanceof Error) return { error: inner.name, cause: typeof inner.cause === 'string' ? inner.cause : inner.message };
  return { error: error.name, cause: error.message };
}

/** Every Task state, nested ones (Map, Parallel) included, by name. */
function taskStates(definition: StateDefinition): [string, StateDefinition][] {
  const found: [string, StateDefinition][] = [];
  const visit = (states: Record<string, StateDefinition> | undefined) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type === 'Task') found.push([name, state]);
      visit(state.Iterator?.States);
      visit(state.ItemProcessor?.States);
      for (const branch of state.Branches ?? []) visit(branch.States);
    }
  };
  visit(definition.States);
  return found;
}
