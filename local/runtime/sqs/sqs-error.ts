import { AwsServiceError } from '../http/aws-json-protocol-server';

/**
 * SQS errors by their JSON-protocol shape name, with the legacy query code SQS still sends in
 * `x-amzn-query-error` (the SDK is query-compatible and exposes it as `error.Code`).
 */
const QUERY_ERROR_CODES: Readonly<Record<string, string>> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  ReceiptHandleIsInvalid: 'ReceiptHandleIsInvalid',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  InvalidParameterValue: 'InvalidParameterValue',
  MissingParameter: 'MissingParameter',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
};

export class SqsError extends AwsServiceError {
  constructor(errorType: string, message: string) {
    super(errorType, message, 400, QUERY_ERROR_CODES[errorType] ?? errorType);
  }
}
