import { expect } from 'vitest';
import type { Harness } from './local-stack-harness';

/**
 * HubSpot webhook deliveries for the CRM stories: events of one portal's subscription, numbered from `firstEventId`
 * (each story its own range, so their dedupe keys never meet), made by a person in HubSpot's UI (not our app), and
 * delivered each in its own signed body, at most four in flight: HubSpot's deliveries come apart and out of order.
 */
export function hubspotDeliveries(harnessOf: () => Harness, stream: { portalId: number; subscriptionId: number; firstEventId: number }) {
  let sequence = 0;
  const event = (subscriptionType: string, objectId: number, fields: Record<string, unknown> = {}) => {
    sequence++;
    return {
      eventId: stream.firstEventId + sequence, subscriptionId: stream.subscriptionId, portalId: stream.portalId, appId: 54321,
      occurredAt: Date.now() - 1_000 + sequence, subscriptionType, attemptNumber: 0, objectId, changeSource: 'CRM_UI', sourceId: 'userId:1', ...fields,
    };
  };
  async function deliver(bodies: readonly string[]): Promise<void> {
    const harness = harnessOf();
    const sign = harness.providerApi('hubspot').webhookHeaders!;
    for (let index = 0; index < bodies.length; index += 4) {
      const statuses = await Promise.all(bodies.slice(index, index + 4).map(async (body) => (await fetch(harness.webhookUrlOf('hubspot'), { method: 'POST', headers: sign(body), body })).status));
      expect(statuses.every((status) => status === 200)).toBe(true);
    }
  }
  const bodiesOf = (events: readonly Record<string, unknown>[]) => events.map((one) => JSON.stringify([one]));
  return { event, deliver, bodiesOf };
}
