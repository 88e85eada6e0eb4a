import { createHmac } from 'node:crypto';

/**
 * Signs webhook bodies the way HubSpot does (v3), written from HubSpot's description rather than imported from the
 * stack, so that the stack's verifier is checked against an independent signer: `X-HubSpot-Signature-v3` =
 * base64(HMAC-SHA256(app secret, `POST` + target URL + body + timestamp)), `X-HubSpot-Request-Timestamp` in
 * milliseconds. The URL is the one the app is configured to call, which is not always the one the request reaches.
 */
export interface HubspotWebhookSigner {
  headersFor(rawBody: string, options?: { timestamp?: number }): Record<string, string>;
}

export function hubspotWebhookSigner(input: { appSecret: string; webhookUrl: string }): HubspotWebhookSigner {
  return {
    headersFor(rawBody, options = {}) {
      const timestamp = String(options.timestamp ?? Date.now());
      const signature = createHmac('sha256', input.appSecret).update(`POST${input.webhookUrl}${rawBody}${timestamp}`, 'utf8').digest('base64');
      return {
        'Content-Type': 'application/json',
        'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) (namespace: webhooks-nio)',
        'X-HubSpot-Signature-v3': signature,
        'X-HubSpot-Request-Timestamp': timestamp,
      };
    },
  };
}
