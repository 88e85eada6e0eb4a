import { describe, expect, it } from 'vitest';
import { createWebhookReceiver, type ProviderWebhook, type SignatureCheck, type WebhookOutcome } from '../../../functions/platform/webhook-receiver';

/** A provider whose signature check answers `check`; what the receiver then answers and records. */
async function receiveWith(check: SignatureCheck) {
  const published: unknown[] = [];
  const outcomes: WebhookOutcome[] = [];
  const provider: ProviderWebhook = {
    name: 'Example',
    verify: async () => check,
    translate: () => ({ kind: 'not-an-event', issue: 'never reached' }),
  };
  const receive = createWebhookReceiver(provider, {
    publish: async (events) => void published.push(...events),
    reject: async () => undefined,
    nowSeconds: () => 1_800_000_000,
    maxBodyBytes: 1024,
    record: (outcome) => void outcomes.push(outcome),
  });
  const response = await receive({ body: '{"id":"WH-1"}', isBase64Encoded: false, headers: {} });
  return { response, published, outcomes };
}

describe('the webhook receiver refusing a signature', () => {
  it('answers 401 by default, publishing nothing', async () => {
    const { response, published, outcomes } = await receiveWith({ valid: false, reason: 'forged', credentialsMayBeStale: false });
    expect(response.statusCode).toBe(401);
    expect(published).toEqual([]);
    expect(outcomes).toEqual(['RejectedSignature']);
  });

  it('answers 503 when the provider could not verify it now (its certificate unreachable): the provider delivers again', async () => {
    const { response, published, outcomes } = await receiveWith({ valid: false, reason: 'certificate host unreachable', credentialsMayBeStale: false, statusCode: 503 });
    expect(response.statusCode).toBe(503);
    expect(published).toEqual([]);
    expect(outcomes).toEqual(['SignatureUnverifiable']);
  });

  it('answers 400 for unreadable signature headers', async () => {
    const { response, published } = await receiveWith({ valid: false, reason: 'no transmission id', credentialsMayBeStale: false, statusCode: 400 });
    expect(response.statusCode).toBe(400);
    expect(published).toEqual([]);
  });
});
