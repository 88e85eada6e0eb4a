import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalEventSchema } from '../../../../events/catalog';
import { verifyZendeskSignature, zendeskSignature } from '../../../../functions/providers/zendesk/zendesk-webhook-signature';
import { zendeskWebhook } from '../../../../functions/providers/zendesk/zendesk-webhook';
import type { Translation } from '../../../../functions/platform/webhook-receiver';

const FIXTURES = join(__dirname, '../../../fixtures/zendesk');
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const vector = fixture('signature_vector.DERIVED.json') as { secret: string; timestamp: string; body: string; signature: string };
const headersOf = (headers: Record<string, string>) => (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
const at = (iso: string) => Date.parse(iso);

describe('Zendesk webhook signature', () => {
  const signed = { 'X-Zendesk-Webhook-Signature': vector.signature, 'X-Zendesk-Webhook-Signature-Timestamp': vector.timestamp };

  it('reproduces the test vector: base64(HMAC-SHA256(secret, timestamp + body))', () => {
    expect(zendeskSignature({ secret: vector.secret, timestamp: vector.timestamp, rawBody: vector.body })).toBe(vector.signature);
    expect(verifyZendeskSignature({ rawBody: vector.body, header: headersOf(signed), secret: vector.secret, nowMs: at(vector.timestamp) + 60_000 })).toEqual({ valid: true });
  });

  it('refuses a forged body, a wrong secret, a stale or future timestamp, a non-ISO timestamp and missing headers', () => {
    const now = at(vector.timestamp);
    const check = (overrides: { body?: string; secret?: string; nowMs?: number; headers?: Record<string, string> }) =>
      verifyZendeskSignature({ rawBody: overrides.body ?? vector.body, header: headersOf(overrides.headers ?? signed), secret: overrides.secret ?? vector.secret, nowMs: overrides.nowMs ?? now });
    expect(check({ body: vector.body.replace('35436', '35437') })).toEqual({ valid: false, reason: 'signature mismatch', mismatch: true });
    expect(check({ secret: 'another-secret' })).toMatchObject({ valid: false, mismatch: true });
    expect(check({ nowMs: now + 5 * 60_000 + 1_000 })).toMatchObject({ valid: false, mismatch: false, reason: expect.stringContaining('over 5 minutes') });
    expect(check({ nowMs: now - 5 * 60_000 - 1_000 })).toMatchObject({ valid: false, mismatch: false });
    expect(check({ headers: { ...signed, 'X-Zendesk-Webhook-Signature-Timestamp': String(Math.floor(now / 1000)) } })).toMatchObject({ valid: false, reason: expect.stringContaining('ISO-8601') });
    expect(check({ headers: { 'X-Zendesk-Webhook-Signature-Timestamp': vector.timestamp } })).toMatchObject({ valid: false, reason: 'missing X-Zendesk-Webhook-Signature' });
  });

  it('verifies through the webhook with the configured secret, and says a mismatch may be a rotated secret', async () => {
    const webhook = zendeskWebhook({ signingSecret: async () => vector.secret, apiUserId: '1' });
    const request = { rawBody: vector.body, header: headersOf(signed), nowSeconds: at(vector.timestamp) / 1000 };
    expect(await webhook.verify(request, false)).toEqual({ valid: true });
    const forged = await webhook.verify({ ...request, rawBody: `${vector.body} ` }, false);
    expect(forged).toMatchObject({ valid: false, credentialsMayBeStale: true, statusCode: 401 });
  });
});

describe('Zendesk event subscription → ticket.updated', () => {
  const webhook = zendeskWebhook({ signingSecret: async () => 'unused', apiUserId: '900000000001' });
  const translate = (body: unknown) => webhook.translate(body) as Translation;
  const mappedEvent = (translation: Translation) => {
    expect(translation.kind).toBe('mapped');
    if (translation.kind !== 'mapped') throw new Error('not mapped');
    expect(translation.events).toHaveLength(1);
    const [event] = translation.events;
    expect(canonicalEventSchema.safeParse(event).success).toBe(true);
    return event!;
  };

  it('maps ticket.created: the ticket (ids, no requester data), the change, an id from the envelope id', () => {
    const event = mappedEvent(translate(fixture('event_ticket.created.dust.json')));
    expect(event).toMatchObject({
      id: 'zendesk:cbe4028c-7239-495d-b020-f22348516046:ticket.updated',
      type: 'ticket.updated',
      source: 'zendesk',
      subject: 'zendesk:ticket:5158',
      time: '2025-01-08T10:12:07.672Z',
      causationId: 'cbe4028c-7239-495d-b020-f22348516046',
      data: {
        ticket: { system: 'zendesk', id: '5158', organizationId: '8447346622462', subject: 'Cannot login to mobile app', status: 'open', priority: 'high', tags: ['mobile', 'login'], createdAt: '2025-01-08T10:12:07.000Z', updatedAt: '2025-01-08T10:12:07.000Z' },
        change: { kind: 'created', previous: null, current: 'open' },
      },
    });
    expect(JSON.stringify(event)).not.toContain('requester');
  });

  it('maps status and priority changes with their previous and current values', () => {
    expect(mappedEvent(translate(fixture('event_ticket.status_changed.dust.json'))).data).toMatchObject({ ticket: { status: 'solved', organizationId: null }, change: { kind: 'status_changed', previous: 'open', current: 'solved' } });
    expect(mappedEvent(translate(fixture('event_ticket.priority_changed.dust.json'))).data).toMatchObject({ ticket: { priority: 'urgent' }, change: { kind: 'priority_changed', previous: 'high', current: 'urgent' } });
    expect(mappedEvent(translate(fixture('event_ticket.agent_assignment_changed.dust.json'))).data).toMatchObject({ change: { kind: 'other', current: 'ticket.agent_assignment_changed' } });
  });

  it('maps the raw body of a delivery as captured with its headers (mixed-case status, status change as an object)', () => {
    const { rawBody } = fixture('event_ticket.created.with_headers.prismatic.json') as { rawBody: string };
    expect(mappedEvent(translate(JSON.parse(rawBody))).data).toMatchObject({ ticket: { id: '35436', status: 'open', organizationId: null, priority: null }, change: { kind: 'created' } });
  });

  it('drops an event our own API user caused, counted as DroppedOwnWrite', () => {
    const ours = fixture('event_ticket.priority_changed.dust.json');
    const translation = translate({ ...ours, detail: { ...(ours['detail'] as object), actor_id: '900000000001' } });
    expect(translation).toMatchObject({ kind: 'mapped', events: [], skipped: [{ outcome: 'DroppedOwnWrite' }] });
  });

  it('ignores a non-ticket event, refuses a body that is no envelope, sets aside a ticket with an unknown status', () => {
    expect(translate(fixture('event_user.active_changed.docs.json'))).toMatchObject({ kind: 'ignored', about: { type: 'user.active_changed' } });
    expect(translate({ hello: 'world' })).toMatchObject({ kind: 'not-an-event' });
    const created = fixture('event_ticket.created.dust.json');
    expect(translate({ ...created, detail: { ...(created['detail'] as object), status: 'ARCHIVED' } })).toMatchObject({ kind: 'set-aside', outcome: 'RejectedMalformed' });
  });
});
