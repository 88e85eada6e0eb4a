import { describe, expect, it } from 'vitest';
import { epochNow, StackActivity, type FinishedInvocation, type Hop } from '../../../local/runtime/stack/stack-activity';

describe('StackActivity tracing', () => {
  it('traces nothing until someone listens, then passes every hop with its time and subject', () => {
    const activity = new StackActivity();
    expect(activity.tracing).toBe(false);
    const hops: Hop[] = [];
    const stop = activity.onHop((hop) => hops.push(hop));
    expect(activity.tracing).toBe(true);

    activity.recordHop('sqs.visible', 'body of cus_1', 1234.5);
    const before = epochNow();
    activity.recordHop('mapping.settled', 'body of cus_1');
    stop();
    activity.recordHop('api.request', 'not heard');

    expect(activity.tracing).toBe(false);
    expect(hops).toHaveLength(2);
    expect(hops[0]).toEqual({ hop: 'sqs.visible', at: 1234.5, subject: 'body of cus_1' });
    expect(hops[1]?.at).toBeGreaterThanOrEqual(before);
  });

  it('tells invocation listeners when the invocation and its handler ran', async () => {
    const activity = new StackActivity();
    const finished: FinishedInvocation[] = [];
    activity.onInvocation((invocation) => finished.push(invocation));
    const timing = { handlerStartedAt: epochNow() + 1, handlerEndedAt: epochNow() + 2 };

    await activity.recordInvocation('ingest', async () => ({ status: 'succeeded', timing }), { id: 'evt_1' });

    expect(finished).toHaveLength(1);
    const [invocation] = finished;
    expect(invocation).toMatchObject({ functionName: 'ingest', event: { id: 'evt_1' }, ...timing });
    expect(invocation?.endedAt).toBeGreaterThanOrEqual(invocation?.startedAt ?? Number.NaN);
    expect(invocation?.durationMs).toBeCloseTo((invocation?.endedAt ?? 0) - (invocation?.startedAt ?? 0), 6);
    expect(activity.activityOf('ingest')).toMatchObject({ invocations: 1, errors: 0, running: 0 });
  });
});
