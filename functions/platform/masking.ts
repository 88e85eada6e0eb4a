/**
 * Keeps PII and secrets out of logs: a JSON replacer for the Powertools logger that masks the value
 * under any sensitive key wherever it appears in a log item, nested objects included. Powertools for
 * TypeScript has no data-masking utility for the logger, hence this small replacer.
 */
const SENSITIVE_KEY =
  /^(name|first_?name|last_?name|full_?name|display_?name)$|e-?mail|phone|address|line1|line2|street|city|postal|zip|token|secret|password|api_?key|authorization|signature|cookie/i;
/** An error's class name (Powertools logs errors as `{ name, message, stack }`) is not personal data. */
const ERROR_CLASS_NAME = /^[A-Z]\w*(Error|Exception)$/;

export const MASK = '***';

export function maskSensitive(key: string, value: unknown): unknown {
  if (value === null || value === undefined || !SENSITIVE_KEY.test(key)) return value;
  if (key === 'name' && typeof value === 'string' && ERROR_CLASS_NAME.test(value)) return value;
  return MASK;
}
