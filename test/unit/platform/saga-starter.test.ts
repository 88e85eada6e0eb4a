import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { executionNameOf, sagaStarter } from '../../../functions/platform/saga-starter';
import { stepFailure } from '../../../functions/platform/saga-step';
import { PermanentSyncError, RetryableSyncError } from '../../../functions/platform/errors';
import { DependencyMissingError } from '../../../functions/domain/invoice-errors';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:odoo-saas-sync-dunning';
const sfn = mockClient(SFNClient);
const trigger = (id: string) => ({ 'detail-type': 'payment.failed', detail: { id, type: 'payment.failed', source: 'stripe', data: {} } });

beforeEach(() => {
  sfn.reset();
  process.env['STATE_MACHINE_ARN'] = STATE_MACHINE_ARN;
});

describe('executionNameOf', () => {
  it('is a valid Step Functions name, the same for the same event id and different for ids that read alike', () => {
    const id = 'stripe:evt_1Pgc6xB7WZ01zgkWeT0sV3aJ:payment.failed';
    const name = executionNameOf(id);

    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(name.startsWith('stripe-evt_1Pgc6xB7WZ01zgkWeT0sV3aJ-payment-failed-')).toBe(true);
    expect(executionNameOf(id)).toBe(name);
    expect(executionNameOf('stripe:evt_1:payment.failed')).not.toBe(executionNameOf('stripe/evt_1/payment.failed'));
    expect(executionNameOf(`paypal:${'x'.repeat(200)}`)).toHaveLength(80);
  });
});

describe('sagaStarter', () => {
  it('starts the state machine named after the event id, with the saga id and the event as input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:…', startDate: new Date() });
    const start = sagaStarter(new SFNClient({}));

    const outcome = await start(trigger('stripe:evt_1:payment.failed'));

    const name = executionNameOf('stripe:evt_1:payment.failed');
    expect(outcome).toEqual({ outcome: 'started', executionName: name });
    const call = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(call).toMatchObject({ stateMachineArn: STATE_MACHINE_ARN, name });
    expect(JSON.parse(call.input ?? '{}')).toMatchObject({ sagaId: name, event: { id: 'stripe:evt_1:payment.failed' } });
  });

  it('takes "execution already exists" as success: a re-delivered event starts no second run', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const start = sagaStarter(new SFNClient({}));

    await expect(start(trigger('stripe:evt_1:payment.failed'))).resolves.toMatchObject({ outcome: 'already-started' });
  });

  it('refuses what is not a canonical event, starting nothing', async () => {
    const start = sagaStarter(new SFNClient({}));

    await expect(start({ detail: { type: 'payment.failed' } })).rejects.toThrow(/not a canonical event/);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('lets a Step Functions outage fail the invocation, so Lambda retries it', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(sagaStarter(new SFNClient({}))(trigger('stripe:evt_2:payment.failed'))).rejects.toThrow(/Rate exceeded/);
  });
});

describe('stepFailure', () => {
  it('names every error by what the state machine does with it: retry (transient) or compensate (permanent)', () => {
    const transient = stepFailure(new DependencyMissingError('customer not in Odoo yet'));
    const permanent = stepFailure(Object.assign(new PermanentSyncError('bad'), { name: 'InvoiceUnknownAtProviderError' }));
    const unknown = stepFailure(new TypeError('fetch failed'));

    expect([transient.name, transient.message]).toEqual(['RetryableSyncError', 'DependencyMissingError: customer not in Odoo yet']);
    expect([permanent.name, permanent.message]).toEqual(['PermanentSyncError', 'InvoiceUnknownAtProviderError: bad']);
    expect(unknown).toBeInstanceOf(RetryableSyncError);
  });
});
