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

describe('the webhook receiver with a batch body and a translation that reads the provider', () => {
  const about = { id: '1,2,3', type: 'batch of 3' };
  const event = JSON.parse('{"id":"x:1","type":"deal.deleted","source":"hubspot","subject":"hubspot:deal:1","time":"2026-01-01T00:00:00.000Z","correlationId":"x","causationId":"1","dataVersion":1,"data":{"deal":{"system":"hubspot","account":"1","id":"1"}}}');

  async function receiveTranslation(translation: Awaited<ReturnType<ProviderWebhook['translate']>>, publish: () => Promise<void> = async () => undefined) {
    const published: unknown[] = [];
    const recorded: { outcome: WebhookOutcome; detail: Record<string, unknown> }[] = [];
    const provider: ProviderWebhook = { name: 'Example', verify: async () => ({ valid: true }), translate: async () => translation };
    const receive = createWebhookReceiver(provider, {
      publish: async (events) => {
        await publish();
        published.push(...events);
      },
      reject: async () => undefined,
      nowSeconds: () => 1_800_000_000,
      maxBodyBytes: 1024,
      record: (outcome, detail) => void recorded.push({ outcome, detail }),
    });
    const response = await receive({ body: '[{"eventId":1}]', isBase64Encoded: false, headers: {} });
    return { response, published, recorded };
  }

  it('publishes the mapped events and counts each skipped one with its own outcome and reason', async () => {
    const { response, published, recorded } = await receiveTranslation({
      kind: 'mapped',
      about,
      events: [event],
      skipped: [
        { about: { id: '2', type: 'contact.propertyChange' }, outcome: 'DroppedOwnWrite', reason: 'written by our app' },
        { about: { id: '3', type: 'ticket.creation' }, outcome: 'Ignored', reason: 'not handled' },
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(published).toEqual([event]);
    expect(recorded.map(({ outcome }) => outcome)).toEqual(['DroppedOwnWrite', 'Ignored', 'Accepted']);
    expect(recorded[0]!.detail).toMatchObject({ exampleEventId: '2', reason: 'written by our app' });
  });

  it('answers 200 and publishes nothing when every event of the body was skipped', async () => {
    const { response, published, recorded } = await receiveTranslation({ kind: 'mapped', about, events: [], skipped: [{ about, outcome: 'DroppedOwnWrite', reason: 'ours' }] });
    expect(response.statusCode).toBe(200);
    expect(published).toEqual([]);
    expect(recorded.map(({ outcome }) => outcome)).toEqual(['DroppedOwnWrite']);
  });

  it('answers 503 and publishes nothing when the provider cannot be read now, so that it delivers again', async () => {
    const { response, published, recorded } = await receiveTranslation({ kind: 'unavailable', about, reason: '429 for 12 s' });
    expect(response.statusCode).toBe(503);
    expect(published).toEqual([]);
    expect(recorded.map(({ outcome }) => outcome)).toEqual(['SourceUnavailable']);
  });

  it('does not count skipped events of a body the bus refused: they come again with the retry', async () => {
    const { response, recorded } = await receiveTranslation({ kind: 'mapped', about, events: [event], skipped: [{ about, outcome: 'Ignored', reason: 'x' }] }, async () => {
      throw new Error('bus down');
    });
    expect(response.statusCode).toBe(503);
    expect(recorded.map(({ outcome }) => outcome)).toEqual(['PublishFailed']);
  });
});
