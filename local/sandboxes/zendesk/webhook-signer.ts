import { createHmac } from 'node:crypto';

/**
 * Signs event-subscription deliveries the way Zendesk does, written from Zendesk's description rather than imported
 * from the stack, so that the stack's verifier is checked against an independent signer:
 * `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(signing secret, timestamp + body)), the timestamp ISO-8601
 * to the second (`2024-04-17T17:18:10Z`) in `X-Zendesk-Webhook-Signature-Timestamp`.
 */
export interface ZendeskWebhookSigner {
  headersFor(rawBody: string, options?: { timestamp?: Date }): Record<string, string>;
}

export function zendeskWebhookSigner(input: { signingSecret: string; webhookId: string }): ZendeskWebhookSigner {
  return {
    headersFor(rawBody, options = {}) {
      const timestamp = (options.timestamp ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const signature = createHmac('sha256', input.signingSecret).update(`${timestamp}${rawBody}`, 'utf8').digest('base64');
      return {
        'Content-Type': 'application/json',
        'User-Agent': 'Zendesk Webhook',
        'X-Zendesk-Webhook-Id': input.webhookId,
        'X-Zendesk-Webhook-Signature': signature,
        'X-Zendesk-Webhook-Signature-Timestamp': timestamp,
      };
    },
  };
}
