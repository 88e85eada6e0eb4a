import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TargetDelivery, TargetKind } from '../../../local/runtime/eventbridge/event-bus';
import { RuleScheduler, type ScheduledRule } from '../../../local/runtime/eventbridge/rule-scheduler';
import { LambdaFunctionPool } from '../../../local/runtime/lambda/function-pool';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:reconcile';
const IDENTITY = { accountId: '000000000000', region: 'eu-west-1', partition: 'aws' };

const nightly: ScheduledRule = {
  name: 'nightly-reconcile',
  scheduleExpression: 'cron(0 3 * * ? *)',
  targets: [{ id: 'reconcile', arn: FUNCTION_ARN, kind: 'lambda' }],
  state: 'ENABLED',
};

function recordingDispatchers(dispatch: (delivery: TargetDelivery) => Promise<void> = async () => undefined) {
  const delivered: TargetDelivery[] = [];
  const record = async (delivery: TargetDelivery) => {
    delivered.push(delivery);
    await dispatch(delivery);
  };
  const dispatchers: Record<TargetKind, typeof record> = { sqs: record, lambda: record, sfn: record };
  return { delivered, dispatchers };
}

const schedulers: RuleScheduler[] = [];
function scheduler(options: ConstructorParameters<typeof RuleScheduler>[0]): RuleScheduler {
  const created = new RuleScheduler({ identity: IDENTITY, ...options });
  schedulers.push(created);
  return created;
}

afterEach(() => {
  for (const created of schedulers.splice(0)) created.stop();
  vi.useRealTimers();
});

describe('RuleScheduler', () => {
  it('sends the scheduled event AWS sends to the target at each due time, in UTC', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T02:59:30Z') });
    const { delivered, dispatchers } = recordingDispatchers();
    const rules = scheduler({ dispatchers });
    rules.addRule(nightly);
    rules.start();
    expect(rules.describe()).toEqual([
      {
        name: 'nightly-reconcile',
        arn: 'arn:aws:events:eu-west-1:000000000000:rule/nightly-reconcile',
        scheduleExpression: 'cron(0 3 * * ? *)',
        state: 'ENABLED',
        nextRun: new Date('2026-03-01T03:00:00Z'),
      },
    ]);

    await vi.advanceTimersByTimeAsync(29_999);
    expect(delivered).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.ruleName).toBe('nightly-reconcile');
    expect(delivered[0]?.target.arn).toBe(FUNCTION_ARN);
    expect(JSON.parse(delivered[0]?.input ?? '')).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: '2026-03-01T03:00:00Z',
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:000000000000:rule/nightly-reconcile'],
      detail: {},
    });
    expect(rules.describe()[0]?.nextRun).toEqual(new Date('2026-03-02T03:00:00Z'));

    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(delivered.map((delivery) => delivery.event['time'])).toEqual(['2026-03-01T03:00:00Z', '2026-03-02T03:00:00Z']);
    expect(delivered[0]?.event.id).not.toBe(delivered[1]?.event.id);
  });

  it("sends the target's constant Input instead of the event", async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:10Z') });
    const { delivered, dispatchers } = recordingDispatchers();
    const rules = scheduler({ dispatchers });
    rules.addRule({
      name: 'every-five-minutes',
      scheduleExpression: 'rate(5 minutes)',
      targets: [{ id: 'reconcile', arn: FUNCTION_ARN, kind: 'lambda', input: '{"from":"2026-01-01","to":"2026-01-31"}' }],
      state: 'ENABLED',
    });
    rules.start();
    expect(rules.describe()[0]?.nextRun).toEqual(new Date('2026-03-01T10:05:00Z'));

    await vi.advanceTimersByTimeAsync(15 * 60_000);
    expect(delivered.map((delivery) => delivery.input)).toEqual(Array(3).fill('{"from":"2026-01-01","to":"2026-01-31"}'));
    expect(delivered.map((delivery) => delivery.event['time'])).toEqual(['2026-03-01T10:05:00Z', '2026-03-01T10:10:00Z', '2026-03-01T10:15:00Z']);
  });

  it('fires nothing for a disabled rule, nor once stopped, and leaves no timer behind', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T00:00:00Z') });
    const { delivered, dispatchers } = recordingDispatchers();
    const rules = scheduler({ dispatchers });
    rules.addRule({ ...nightly, name: 'disabled', state: 'DISABLED' });
    rules.addRule({ ...nightly, name: 'minutely', scheduleExpression: 'rate(1 minute)' });
    rules.start();
    expect(rules.describe().map((rule) => [rule.name, rule.nextRun?.toISOString()])).toEqual([
      ['disabled', undefined],
      ['minutely', '2026-03-01T00:01:00.000Z'],
    ]);

    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(delivered.map((delivery) => delivery.ruleName)).toEqual(['minutely', 'minutely']);

    rules.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(rules.describe().every((rule) => rule.nextRun === undefined)).toBe(true);
    await vi.advanceTimersByTimeAsync(3 * 86_400_000);
    await rules.fire('minutely');
    expect(delivered).toHaveLength(2);
  });

  it('waits past the longest setTimeout delay for a run more than 24.8 days away', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T00:00:00Z') });
    const { delivered, dispatchers } = recordingDispatchers();
    const rules = scheduler({ dispatchers });
    rules.addRule({ ...nightly, name: 'yearly', scheduleExpression: 'cron(0 0 1 1 ? *)' });
    rules.start();

    await vi.advanceTimersByTimeAsync(Date.parse('2026-12-31T23:59:00Z') - Date.now());
    expect(delivered).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(delivered.map((delivery) => delivery.event['time'])).toEqual(['2027-01-01T00:00:00Z']);
  });

  it('does not replay the runs a stalled clock missed', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T00:00:00Z') });
    const { delivered, dispatchers } = recordingDispatchers();
    const rules = scheduler({ dispatchers });
    rules.addRule({ ...nightly, name: 'minutely', scheduleExpression: 'rate(1 minute)' });
    rules.start();

    // The machine slept for an hour: the timer fires once, late, and the schedule goes on from now.
    vi.setSystemTime(new Date('2026-03-01T01:00:30Z'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(delivered.map((delivery) => delivery.event['time'])).toEqual(['2026-03-01T00:01:00Z']);
    expect(rules.describe()[0]?.nextRun).toEqual(new Date('2026-03-01T01:02:00Z'));
  });

  it('reports a failed delivery, and none from a run the shutdown cut short', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T00:00:00Z') });
    const failures: { ruleName: string; message: string }[] = [];
    let release: (() => void) | undefined;
    const { dispatchers } = recordingDispatchers(async () => {
      if (release === undefined) throw new Error('Function not found: reconcile');
      await new Promise<void>((resolve) => (release = resolve));
      throw new Error('worker terminated');
    });
    const rules = scheduler({ dispatchers, onDeliveryFailure: (delivery, error) => failures.push({ ruleName: delivery.ruleName, message: (error as Error).message }) });
    rules.addRule({ ...nightly, name: 'minutely', scheduleExpression: 'rate(1 minute)' });
    rules.start();

    await vi.advanceTimersByTimeAsync(60_000);
    await rules.settled();
    expect(failures).toEqual([{ ruleName: 'minutely', message: 'Function not found: reconcile' }]);

    release = () => undefined;
    await vi.advanceTimersByTimeAsync(60_000);
    rules.stop();
    release();
    await rules.settled();
    expect(failures).toHaveLength(1);
  });

  it('names the rule of an invalid expression', () => {
    const { dispatchers } = recordingDispatchers();
    expect(() => scheduler({ dispatchers }).addRule({ ...nightly, scheduleExpression: 'cron(0 25 * * ? *)' })).toThrow(
      'Schedule rule nightly-reconcile: Invalid schedule expression "cron(0 25 * * ? *)": hours 25 is outside 0-23',
    );
    expect(() => scheduler({ dispatchers }).addRule({ ...nightly, scheduleExpression: 'rate(1 days)' })).toThrow(/^Schedule rule nightly-reconcile: .*rate\(1 day\)/);
  });

  it('keeps no process alive: its timers are unref-ed', () => {
    const { dispatchers } = recordingDispatchers();
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    const rules = scheduler({ dispatchers });
    rules.addRule({ ...nightly, name: 'minutely', scheduleExpression: 'rate(1 minute)' });
    rules.start();
    expect(rules.describe()[0]?.nextRun).toBeInstanceOf(Date);
    expect(timers()).toBe(before);
  });
});

describe('a schedule rule with a Lambda target', () => {
  let assetsDirectory: string | undefined;
  let pool: LambdaFunctionPool | undefined;
  afterEach(async () => {
    await pool?.close();
    if (assetsDirectory) rmSync(assetsDirectory, { recursive: true, force: true });
  });

  it('invokes the function in its pool with the scheduled event', async () => {
    assetsDirectory = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    const codeDirectory = join(assetsDirectory, 'asset.reconcile');
    mkdirSync(codeDirectory);
    writeFileSync(join(codeDirectory, 'index.mjs'), `export const handler = async (event) => ({ received: event['detail-type'], at: event.time, rule: event.resources[0] });`);
    pool = new LambdaFunctionPool({ functionName: 'reconcile', codeDirectory, handler: 'index.handler', timeoutSeconds: 30 });
    const results: unknown[] = [];
    const invokeLambda = async ({ input }: TargetDelivery) => {
      const result = await (pool as LambdaFunctionPool).invoke(JSON.parse(input));
      results.push(result.status === 'succeeded' ? result.payload : result.error);
    };

    // Only Date and the timers are faked: the worker thread talks to the pool over real message ports.
    vi.useFakeTimers({ now: new Date('2026-03-01T02:59:59Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const rules = scheduler({ dispatchers: { lambda: invokeLambda, sqs: invokeLambda, sfn: invokeLambda } });
    rules.addRule(nightly);
    rules.start();
    await vi.advanceTimersByTimeAsync(1_000);
    vi.useRealTimers();
    await rules.settled();

    expect(results).toEqual([{ received: 'Scheduled Event', at: '2026-03-01T03:00:00Z', rule: 'arn:aws:events:eu-west-1:000000000000:rule/nightly-reconcile' }]);
  });
});
