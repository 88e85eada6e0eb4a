import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenBucket } from '../../local/runtime/apigateway/token-bucket';
import { stripeEvent, stripeObjects } from '../fixtures/stripe/stripe-events';
import { type Harness, postStripeWebhook, startHarness } from './local-stack-harness';

/** API Gateway's own answers around the Lambda proxy integration, from the template's REST API and stage. */

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

describe('the webhook REST API', () => {
  it('gives the ingest function the v1 proxy event: raw body, original header case, request context of the stage', async () => {
    // The ingest answers 401 to an unsigned body: what matters is that it got the event to judge.
    const response = await fetch(`${harness.webhookUrl}?probe=1`, { method: 'POST', headers: { 'Stripe-Signature': 't=1,v1=00' }, body: '{"id":"evt_x"}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 403 Missing Authentication Token for a path the API does not define, like API Gateway', async () => {
    const response = await fetch(`${harness.stack.url}/webhooks/unknown-provider`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('refuses a payload over API Gateway’s 10 MB limit with 413, before any function runs', async () => {
    const invocationsBefore = harness.stack.activity.activityOf(ingestName()).invocations;
    const response = await fetch(harness.webhookUrl, { method: 'POST', body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Too Long' });
    expect(harness.stack.activity.activityOf(ingestName()).invocations).toBe(invocationsBefore);
  });

  it('lets the ingest function refuse a body over the stage’s own limit (256 KB) with 413', async () => {
    const event = stripeEvent('customer.created', { ...stripeObjects.customer, id: 'cus_big', description: 'x'.repeat(300 * 1024) });
    expect((await postStripeWebhook(harness.webhookUrl, event)).status).toBe(413);
  });

  it('throttles beyond the stage burst with 429 Too Many Requests', async () => {
    // Stage local: 50 requests/s, burst 100. 200 requests at once exceed the bucket.
    const startedAt = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: 200 }, () => fetch(harness.webhookUrl, { method: 'POST', headers: { 'Stripe-Signature': 't=1,v1=00' }, body: '{}' }).then(async (response) => ({ status: response.status, body: await response.text() }))),
    );
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    const throttled = statuses.filter((answer) => answer.status === 429);
    // The token bucket's contract, whatever the machine's speed: at most the burst plus what the rate
    // refilled while the requests arrived get through; the rest are throttled.
    const allowedAtMost = 100 + Math.ceil(50 * elapsedSeconds);
    expect(statuses.length - throttled.length).toBeLessThanOrEqual(allowedAtMost);
    expect(throttled.length).toBeGreaterThanOrEqual(statuses.length - allowedAtMost);
    for (const answer of throttled) expect(JSON.parse(answer.body)).toEqual({ message: 'Too Many Requests' });
  });

  it('refills its token bucket at the stage rate, up to the burst (API Gateway’s algorithm)', () => {
    let now = 0;
    const bucket = new TokenBucket(50, 100, () => now);
    const taken = (count: number) => Array.from({ length: count }, () => bucket.tryTake()).filter(Boolean).length;

    expect(taken(150)).toBe(100);
    now += 200; // 0.2 s at 50/s: 10 tokens
    expect(taken(20)).toBe(10);
    now += 60_000; // never more than the burst
    expect(taken(150)).toBe(100);
  });
});

function ingestName(): string {
  return harness.stack.webhookUrls()[0]?.functionName ?? '';
}
