/**
 * A use case's result as Powertools idempotency can store it. Its DynamoDB layer marshals the result without
 * `removeUndefinedValues`, so a result with a field left undefined (`published: undefined`) fails to save after the
 * use case has succeeded: the record stays "in progress" until the Lambda's timeout, and every redelivery meanwhile
 * fails with IdempotencyAlreadyInProgressError — a minute or more of delay on a write that was done. The JSON round
 * trip drops undefined fields as Lambda's own response serialization does, so what is stored is what a caller sees.
 */
export function storableResult<Result>(result: Result): Result {
  return result === undefined ? result : (JSON.parse(JSON.stringify(result)) as Result);
}
