import { resourceNameOfArn } from '../local-aws-identity';
import { AwsServiceError, startAwsJsonProtocolServer, type RunningAwsJsonServer } from '../http/aws-json-protocol-server';
import type { LocalEventBus, PutEventsEntry, PutEventsResultEntry } from './event-bus';

/**
 * EventBridge's `PutEvents` over the AWS JSON 1.1 protocol (`x-amz-target: AWSEvents.PutEvents`), so the
 * bundles' unmodified EventBridge client publishes to the local buses. Entries name their bus by name or
 * ARN (`default` when absent), as in AWS.
 */

/** PutEvents accepts 1 to 10 entries, and 256 KB per request. */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

export function startEventBridgeServer(options: {
  readonly buses: ReadonlyMap<string, LocalEventBus>;
  readonly port?: number;
  /** Told of every entry once the bus answered it, for the ops console's recent events (and the bench's hops: `receivedAt` is the request's arrival). */
  readonly onPut?: (entry: PutEventsEntry, result: PutEventsResultEntry, request: { receivedAt: number }) => void;
}): Promise<RunningAwsJsonServer> {
  return startAwsJsonProtocolServer({
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    ...(options.port !== undefined ? { port: options.port } : {}),
    operations: {
      PutEvents: async (input, request) => {
        const entries = (input['Entries'] as Record<string, unknown>[] | undefined) ?? [];
        if (entries.length === 0 || entries.length > MAX_ENTRIES) {
          throw new AwsServiceError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`);
        }
        if (Buffer.byteLength(JSON.stringify(entries)) > MAX_REQUEST_BYTES) {
          throw new AwsServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
        }
        // Entries keep their request order in the answer, whichever bus each one goes to.
        const results = await Promise.all(
          entries.map(async (wireEntry): Promise<PutEventsResultEntry> => {
            const entry = toPutEventsEntry(wireEntry);
            const busName = entry.EventBusName ? resourceNameOfBus(entry.EventBusName) : 'default';
            const bus = options.buses.get(busName);
            const result: PutEventsResultEntry = bus
              ? ((await bus.putEvents([entry])).Entries[0] ?? { ErrorCode: 'InternalException', ErrorMessage: 'no result' })
              : { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
            options.onPut?.(entry, result, { receivedAt: request.receivedAt });
            return result;
          }),
        );
        return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
      },
    },
  });
}

/** `arn:aws:events:region:account:event-bus/NAME` or `NAME`. */
function resourceNameOfBus(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? resourceNameOfArn(nameOrArn).replace(/^event-bus\//, '') : nameOrArn;
}

/** The JSON protocol sends timestamps as epoch seconds. */
function toPutEventsEntry(wire: Record<string, unknown>): PutEventsEntry {
  const time = wire['Time'];
  return {
    ...(typeof wire['Source'] === 'string' ? { Source: wire['Source'] } : {}),
    ...(typeof wire['DetailType'] === 'string' ? { DetailType: wire['DetailType'] } : {}),
    ...(typeof wire['Detail'] === 'string' ? { Detail: wire['Detail'] } : {}),
    ...(Array.isArray(wire['Resources']) ? { Resources: wire['Resources'] as string[] } : {}),
    ...(typeof wire['EventBusName'] === 'string' ? { EventBusName: wire['EventBusName'] } : {}),
    ...(typeof time === 'number' ? { Time: new Date(time * 1000) } : typeof time === 'string' ? { Time: time } : {}),
  };
}
