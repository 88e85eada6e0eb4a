import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { CANONICAL_EVENT_SOURCE } from '../../events/envelope';
import type { CanonicalEvent } from '../../events/catalog';

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_BATCH = 10;
/** Entries EventBridge refused (throttling, internal failure) are sent again this many times. */
const FAILED_ENTRY_RETRIES = 2;

export class PublishFailedError extends Error {
  constructor(readonly failures: { id: string; errorCode?: string; errorMessage?: string }[]) {
    super(`EventBridge refused ${failures.length} event(s): ${failures.map((f) => `${f.id} ${f.errorCode ?? ''}`).join(', ')}`);
    this.name = 'PublishFailedError';
  }
}

/** Puts canonical events on the bus: `source` our namespace, `detail-type` the canonical type. */
export async function publishCanonicalEvents(client: EventBridgeClient, busName: string, events: readonly CanonicalEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += PUT_EVENTS_BATCH) {
    let pending = events.slice(start, start + PUT_EVENTS_BATCH);
    for (let attempt = 0; pending.length > 0; attempt++) {
      const entries: PutEventsRequestEntry[] = pending.map((event) => ({
        EventBusName: busName,
        Source: CANONICAL_EVENT_SOURCE,
        DetailType: event.type,
        Detail: JSON.stringify(event),
      }));
      const result = await client.send(new PutEventsCommand({ Entries: entries }));
      if (!result.FailedEntryCount) return;
      // Results come back in request order; an entry with an ErrorCode was not put.
      const failed = pending.filter((_, index) => result.Entries?.[index]?.ErrorCode);
      if (attempt >= FAILED_ENTRY_RETRIES) {
        throw new PublishFailedError(
          failed.map((event) => {
            const entry = result.Entries?.[pending.indexOf(event)];
            return { id: event.id, errorCode: entry?.ErrorCode, errorMessage: entry?.ErrorMessage };
          }),
        );
      }
      pending = failed;
    }
  }
}
