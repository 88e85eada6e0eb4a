import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { readEnv } from './env';
import { isRetryable, PermanentSyncError, RetryableSyncError } from './errors';
import { logger } from './powertools';
import { storableResult } from './storable-result';

/**
 * What every saga step function shares: the saga state in, the step's result out, exactly once per
 * `<saga>:<sagaId>:<step>`, and every failure reduced to the two error names the state machine's Retry and
 * Catch match on (lib/constructs/lifecycle-saga.ts): `RetryableSyncError` (retried with capped backoff) and
 * `PermanentSyncError` (the compensations run). The original error's name and message travel in the message,
 * which is the execution's `Cause`.
 */

/** The state every saga execution carries: its id (the execution name, from the triggering event id) and the event. */
export interface SagaState<Event> {
  readonly sagaId: string;
  readonly event: Event;
}

const SAGA_STEP_ENV = {
  SAGA_NAME: z.string().check(z.minLength(1)),
  SAGA_STEP: z.string().check(z.minLength(1)),
};
const ONCE_ENV = { IDEMPOTENCY_TABLE: z.string().check(z.minLength(1)) };

/** The key a step's work is recorded under: the same saga, the same step → what its first attempt made. */
export const sagaStepKey = (saga: string, sagaId: string, step: string): string => `${saga}:${sagaId}:${step}`;

/** The error a step's function ends with, named so that Step Functions routes it (Retry or Catch). */
export function stepFailure(error: unknown): RetryableSyncError | PermanentSyncError {
  if (error instanceof RetryableSyncError && error.name === 'RetryableSyncError') return error;
  if (error instanceof PermanentSyncError && error.name === 'PermanentSyncError') return error;
  const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return isRetryable(error) ? new RetryableSyncError(described) : new PermanentSyncError(described);
}

export class InvalidSagaStateError extends PermanentSyncError {
  override name = 'InvalidSagaStateError';
}

const dynamoClient = new DynamoDBClient({});

/**
 * A step's Lambda handler: `parse` checks the state (a bad one is permanent: nothing changed), `run` does the work.
 * A completed step's result is kept 30 days keyed `<saga>:<sagaId>:<step>` (Powertools idempotency): a step
 * attempted again after it finished (a lost response, a redrive) returns what the first attempt made instead of
 * doing it twice; an attempt still in progress elsewhere is a retryable error. A read whose answer changes (a
 * check loop's step) says `once: false`.
 */
export function sagaStep<State extends { sagaId: string }, Result>(options: {
  readonly parse: (input: unknown) => State;
  readonly run: (state: State) => Promise<Result>;
  readonly once?: boolean;
}): (input: unknown, context: Context) => Promise<Result> {
  const env = readEnv(SAGA_STEP_ENV);
  let runOnce = async (request: { stepKey: string; state: State }): Promise<Result> => storableResult(await options.run(request.state));
  let idempotency: IdempotencyConfig | undefined;
  if (options.once !== false) {
    const { IDEMPOTENCY_TABLE } = readEnv(ONCE_ENV);
    idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'stepKey', expiresAfterSeconds: 30 * 24 * 3600 });
    runOnce = makeIdempotent(runOnce, {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: IDEMPOTENCY_TABLE, awsSdkV3Client: dynamoClient }),
      config: idempotency,
    });
  }
  return async (input, context) => {
    idempotency?.registerLambdaContext(context);
    try {
      let state: State;
      try {
        state = options.parse(input);
      } catch (error) {
        throw new InvalidSagaStateError(`${env.SAGA_NAME} step ${env.SAGA_STEP}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const sagaId = state.sagaId;
      const stepKey = sagaStepKey(env.SAGA_NAME, sagaId, env.SAGA_STEP);
      const result = await runOnce({ stepKey, state });
      logger.info('saga step done', { saga: env.SAGA_NAME, step: env.SAGA_STEP, sagaId });
      return result;
    } catch (error) {
      const failure = stepFailure(error);
      logger.warn('saga step failed', { saga: env.SAGA_NAME, step: env.SAGA_STEP, errorName: failure.name, reason: failure.message });
      throw failure;
    }
  };
}
