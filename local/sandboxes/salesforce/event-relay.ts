import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import type { ChangePayload } from './server';

/**
 * Salesforce's Event Relay, locally: each change event of the sandbox becomes one EventBridge event on the running
 * stack's partner event bus, in Event Relay's envelope — `source` and bus the partner event source, `detail-type` the
 * change event's name (`AccountChangeEvent`), `detail.payload` the change event. Until a stack is connected (the
 * sandbox started alone) changes are counted as not relayed, as a relay with no bus would drop them.
 */
export interface EventRelay {
  /** Points the relay at a running stack's EventBridge endpoint (again after a restart). */
  connect(stack: { eventBridgeUrl: string; region: string }): void;
  /** Puts one change event on the partner bus; resolves once the bus accepted it. */
  relay(payload: ChangePayload): Promise<void>;
  /** Changes made while no stack was connected. */
  readonly notRelayed: number;
}

export class RelayRefusedError extends Error {
  override name = 'RelayRefusedError';
}

export function createEventRelay(options: { partnerEventSource: string }): EventRelay {
  let client: EventBridgeClient | undefined;
  let notRelayed = 0;
  return {
    connect({ eventBridgeUrl, region }) {
      client?.destroy();
      // The local EventBridge takes any credentials: these name no account.
      client = new EventBridgeClient({ endpoint: eventBridgeUrl, region, credentials: { accessKeyId: 'local-relay', secretAccessKey: 'local-relay' } });
    },
    async relay(payload) {
      if (client === undefined) {
        notRelayed++;
        return;
      }
      const entity = String(payload.ChangeEventHeader['entityName']);
      const result = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: options.partnerEventSource,
              Source: options.partnerEventSource,
              DetailType: `${entity}ChangeEvent`,
              // Event Relay's detail: the change event under `payload`, with the platform event's ids next to it.
              Detail: JSON.stringify({ payload, schemaId: `sandbox-${entity}`, id: randomUUID() }),
            },
          ],
        }),
      );
      if (result.FailedEntryCount) throw new RelayRefusedError(`the partner bus refused a ${entity} change: ${result.Entries?.[0]?.ErrorCode ?? ''} ${result.Entries?.[0]?.ErrorMessage ?? ''}`);
    },
    get notRelayed() {
      return notRelayed;
    },
  };
}
