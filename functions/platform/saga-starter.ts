import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { readEnv } from './env';
import { InvalidEventError } from './errors';
import { logger } from './powertools';

/**
 * The starter of a lifecycle saga: the EventBridge rule of the saga (lib/routing.ts SAGA_ROUTES) invokes it with
 * a canonical event, and it starts the state machine with an execution name derived from the event's canonical
 * id. A re-delivered event (the provider retried its webhook, a replay from the archive) asks for the same name:
 * `ExecutionAlreadyExists` is the answer, and success — one event, one run. EventBridge's own Step Functions
 * target cannot set the name, which is why this function exists.
 */

const STARTER_ENV = { STATE_MACHINE_ARN: z.string().check(z.minLength(1)) };

/** Step Functions execution names: 1–80 of [A-Za-z0-9-_]. */
const NAME_LIMIT = 80;
const HASH_LENGTH = 16;

/**
 * The execution name of an event id: readable (its characters outside the allowed set become `-`) and unique (a
 * hash of the whole id, since two ids can read the same once cleaned or cut).
 */
export function executionNameOf(eventId: string): string {
  const hash = createHash('sha256').update(eventId).digest('hex').slice(0, HASH_LENGTH);
  const readable = eventId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, NAME_LIMIT - HASH_LENGTH - 1);
  return `${readable}-${hash}`;
}

const triggerSchema = z.object({ detail: z.looseObject({ id: z.string().check(z.minLength(1)), type: z.string() }) });

export type StartOutcome = { outcome: 'started' | 'already-started'; executionName: string };

export function sagaStarter(client: SFNClient = new SFNClient({})): (event: unknown) => Promise<StartOutcome> {
  const env = readEnv(STARTER_ENV);
  return async (trigger) => {
    const parsed = triggerSchema.safeParse(trigger);
    // Bad input starts nothing: the error sends the event, after Lambda's retries, to the starter's failure queue.
    if (!parsed.success) throw new InvalidEventError(`not a canonical event, no saga started: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    const event = parsed.data.detail;
    const executionName = executionNameOf(event.id);
    try {
      await client.send(
        new StartExecutionCommand({ stateMachineArn: env.STATE_MACHINE_ARN, name: executionName, input: JSON.stringify({ sagaId: executionName, event }) }),
      );
      logger.info('saga started', { executionName, eventId: event.id, eventType: event.type });
      return { outcome: 'started', executionName };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
        logger.info('saga already started for this event', { executionName, eventId: event.id });
        return { outcome: 'already-started', executionName };
      }
      throw error;
    }
  };
}
