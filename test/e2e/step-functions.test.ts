import { DescribeExecutionCommand, RedriveExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAwsJsonServer } from '../../local/runtime/http/aws-json-protocol-server';
import type { LambdaInvocationResult } from '../../local/runtime/lambda/function-pool';
import { DEFAULT_LOCAL_IDENTITY, LOCAL_CREDENTIALS } from '../../local/runtime/local-aws-identity';
import { LocalStateMachines, StateMachineDefinitionError } from '../../local/runtime/stepfunctions/local-state-machines';
import { startStepFunctionsServer } from '../../local/runtime/stepfunctions/step-functions-server';
import { waitFor } from './local-stack-harness';

/**
 * Step Functions on the local runtime, with a saga-shaped definition (as CDK's LambdaInvoke writes it):
 * reserve → charge, and on a declined charge, compensate then fail. The Lambda functions are stand-ins
 * here; on the runtime they are the template's function pools.
 */

const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const SAGA = {
  StartAt: 'Reserve',
  States: {
    Reserve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: lambdaArn('reserve'), 'Payload.$': '$' },
      ResultSelector: { 'reservation.$': '$.Payload' },
      ResultPath: '$.reserve',
      Next: 'Charge',
    },
    Charge: {
      Type: 'Task',
      Resource: lambdaArn('charge'),
      ResultPath: '$.charge',
      Catch: [{ ErrorEquals: ['PaymentDeclinedError'], ResultPath: '$.error', Next: 'Release' }],
      End: true,
    },
    Release: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: lambdaArn('release'), 'Payload.$': '$' },
      ResultPath: '$.release',
      Next: 'ChargeFailed',
    },
    ChargeFailed: { Type: 'Fail', Error: 'ChargeFailed', Cause: 'the charge was declined; the reservation was released' },
  },
};

/** Reserve → Ship (no Catch: a failure there fails the execution at Ship, so a redrive continues there). */
const SHIPPING = {
  StartAt: 'Reserve',
  States: {
    Reserve: { Type: 'Task', Resource: lambdaArn('reserve'), ResultPath: '$.reserve', Next: 'Ship' },
    Ship: { Type: 'Task', Resource: lambdaArn('ship'), ResultPath: '$.ship', End: true },
  },
};
let carrierDown = true;

let dataDirectory: string;
let stateMachines: LocalStateMachines;
let server: RunningAwsJsonServer;
let client: SFNClient;
const invoked: string[] = [];

async function fakeFunctions(functionName: string, payload: unknown): Promise<LambdaInvocationResult> {
  invoked.push(functionName);
  const order = payload as { orderId: string; amount: number };
  if (functionName === 'reserve') return { status: 'succeeded', payload: { reservationId: `res-${order.orderId}` }, requestId: 'r1' };
  if (functionName === 'ship' && carrierDown) return { status: 'failed', error: { errorType: 'CarrierUnavailableError', errorMessage: 'carrier down' }, requestId: 'r4' };
  if (functionName === 'charge' && order.amount > 100) {
    return { status: 'failed', error: { errorType: 'PaymentDeclinedError', errorMessage: 'card declined' }, requestId: 'r2' };
  }
  return { status: 'succeeded', payload: { ok: functionName }, requestId: 'r3' };
}

beforeAll(async () => {
  dataDirectory = mkdtempSync(join(tmpdir(), 'local-sfn-'));
  stateMachines = new LocalStateMachines({ dataDirectory, identity: DEFAULT_LOCAL_IDENTITY, invokeFunction: fakeFunctions });
  stateMachines.define('OrderSaga', SAGA);
  stateMachines.define('Shipping', SHIPPING);
  server = await startStepFunctionsServer({ stateMachines });
  client = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
  stateMachines?.close();
  rmSync(dataDirectory, { recursive: true, force: true });
});

const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:OrderSaga';

async function finished(executionArn: string) {
  return waitFor(async () => {
    const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
    return execution.status === 'RUNNING' ? undefined : execution;
  }, { what: 'the execution to finish' });
}

describe('local Step Functions', () => {
  it('runs a saga whose Lambda tasks succeed, through StartExecution and DescribeExecution', async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'order-1', input: JSON.stringify({ orderId: '1', amount: 40 }) }));
    const execution = await finished(executionArn ?? '');

    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({ reserve: { reservation: { reservationId: 'res-1' } }, charge: { ok: 'charge' } });
  });

  it('catches a function error by its Lambda errorType and runs the compensation', async () => {
    invoked.length = 0;
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'order-2', input: JSON.stringify({ orderId: '2', amount: 500 }) }));
    const execution = await finished(executionArn ?? '');

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ChargeFailed');
    expect(invoked).toEqual(['reserve', 'charge', 'release']);
  });

  it('is idempotent on the execution name for the same input, and refuses the name with another input', async () => {
    const first = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'order-3', input: JSON.stringify({ orderId: '3', amount: 1 }) }));
    await finished(first.executionArn ?? '');
    await expect(client.send(new StartExecutionCommand({ stateMachineArn, name: 'order-3', input: JSON.stringify({ orderId: '3', amount: 2 }) }))).rejects.toThrow(/Execution Already Exists/);
  });

  it('keeps executions across a restart of the runtime', async () => {
    const restarted = new LocalStateMachines({ dataDirectory, identity: DEFAULT_LOCAL_IDENTITY, invokeFunction: fakeFunctions });
    restarted.define('OrderSaga', SAGA);
    const execution = restarted.describeExecution('arn:aws:states:us-east-1:000000000000:execution:OrderSaga:order-2');
    restarted.close();
    expect(execution).toMatchObject({ status: 'FAILED', error: 'ChargeFailed' });
  });

  it('records each state as it ran: input, output, and the error of the one that was caught', async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'order-4', input: JSON.stringify({ orderId: '4', amount: 500 }) }));
    await finished(executionArn ?? '');
    const states = stateMachines.describeExecution(executionArn ?? '')?.states ?? [];

    expect(states.map((state) => [state.name, state.status])).toEqual([
      ['Reserve', 'SUCCEEDED'],
      ['Charge', 'CAUGHT'],
      ['Release', 'SUCCEEDED'],
      ['ChargeFailed', 'FAILED'],
    ]);
    expect(states[0]).toMatchObject({ input: { orderId: '4', amount: 500 }, output: { reserve: { reservation: { reservationId: 'res-4' } } } });
    expect(states[1]).toMatchObject({ error: 'PaymentDeclinedError', cause: expect.stringContaining('card declined') });
  });

  it('redrives a failed execution from the state that failed, with its input, without running the states before it again', async () => {
    const shipping = 'arn:aws:states:us-east-1:000000000000:stateMachine:Shipping';
    carrierDown = true;
    invoked.length = 0;
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: shipping, name: 'ship-1', input: JSON.stringify({ orderId: '5', amount: 5 }) }));
    const failed = await finished(executionArn ?? '');
    expect(failed).toMatchObject({ status: 'FAILED', error: 'CarrierUnavailableError' });

    carrierDown = false;
    await client.send(new RedriveExecutionCommand({ executionArn }));
    const redriven = await finished(executionArn ?? '');

    expect(redriven.status).toBe('SUCCEEDED');
    expect(redriven.redriveCount).toBe(1);
    expect(invoked).toEqual(['reserve', 'ship', 'ship']);
    expect(JSON.parse(redriven.output ?? '{}')).toMatchObject({ reserve: { reservationId: 'res-5' }, ship: { ok: 'ship' } });
    await expect(client.send(new RedriveExecutionCommand({ executionArn }))).rejects.toThrow(/cannot be redriven: it is SUCCEEDED/);
  });

  it('refuses at definition time a Task the runtime cannot run, naming the state', () => {
    const definition = { StartAt: 'Send', States: { Send: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } } };
    expect(() => stateMachines.define('Unsupported', definition)).toThrow(StateMachineDefinitionError);
    expect(() => stateMachines.define('Unsupported', definition)).toThrow(/Task state "Send" uses arn:aws:states:::sqs:sendMessage/);
  });
});
