import { TICKET_UPDATED, TICKET_UPDATED_VERSION, type TicketUpdated, ticketStatusSchema } from '../../../events/ticket-updated';
import { describeIssue } from '../../platform/validation-issues';
import type { ProviderWebhook, SignatureCheck, Translation } from '../../platform/webhook-receiver';
import { type ZendeskEnvelope, zendeskEnvelopeSchema, zendeskTicketDetailSchema } from './zendesk-events';
import { verifyZendeskSignature } from './zendesk-webhook-signature';

export interface ZendeskWebhookSettings {
  /** The event subscription webhook's signing secret (Secrets Manager); `refresh` reads it again (rotated). */
  readonly signingSecret: (refresh: boolean) => Promise<string>;
  /** Our API user's id: an event it caused (`detail.actor_id`) is our own write coming back, dropped and counted. */
  readonly apiUserId: string;
}

const PRIORITIES = new Set(['low', 'normal', 'high', 'urgent']);
const CHANGE_KINDS: Readonly<Record<string, TicketUpdated['data']['change']['kind']>> = {
  'ticket.created': 'created',
  'ticket.status_changed': 'status_changed',
  'ticket.priority_changed': 'priority_changed',
};

/**
 * Zendesk's event subscriptions as the platform's receiver sees them: the signature over timestamp + raw body, then
 * one envelope → one `ticket.updated`. The canonical id derives from the envelope id, so a redelivery is the same
 * event (the flows deduplicate on it); the ticket's `updated_at` is its watermark. Events our API user caused are
 * dropped here, counted, so that our own escalation never comes back as a new effect.
 */
export function zendeskWebhook(settings: ZendeskWebhookSettings): ProviderWebhook {
  return {
    name: 'Zendesk',
    async verify(request, refresh): Promise<SignatureCheck> {
      const check = verifyZendeskSignature({ rawBody: request.rawBody, header: (name) => request.header(name), secret: await settings.signingSecret(refresh), nowMs: request.nowSeconds * 1000 });
      return check.valid ? check : { valid: false, reason: check.reason, credentialsMayBeStale: check.mismatch, statusCode: 401 };
    },
    translate(body): Translation {
      const parsed = zendeskEnvelopeSchema.safeParse(body);
      if (!parsed.success) return { kind: 'not-an-event', issue: describeIssue(parsed.error.issues[0]) };
      const envelope = parsed.data;
      const eventType = envelope.type.slice('zen:event-type:'.length);
      const about = { id: envelope.id, type: eventType };
      if (!eventType.startsWith('ticket.')) return { kind: 'ignored', about, reason: `${eventType}: no flow handles it` };
      const detail = zendeskTicketDetailSchema.safeParse(envelope.detail);
      if (!detail.success) return { kind: 'set-aside', outcome: 'RejectedMalformed', about, reason: `ticket detail: ${describeIssue(detail.error.issues[0])}` };
      const actor = detail.data.actor_id;
      if (actor !== undefined && actor !== null && String(actor) === settings.apiUserId) {
        return { kind: 'mapped', about, events: [], skipped: [{ about, outcome: 'DroppedOwnWrite', reason: `caused by our API user ${settings.apiUserId}` }] };
      }
      const event = toCanonical(envelope, eventType, detail.data);
      if (typeof event === 'string') return { kind: 'set-aside', outcome: 'RejectedMalformed', about, reason: event };
      return { kind: 'mapped', about, events: [event] };
    },
  };
}

const instant = (value: string): string | undefined => {
  const time = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
};

/** `{ current: 'SOLVED' }` or Zendesk's older `{ current: { status: 'Solved' } }`: the value, lower case. */
function changeValue(value: unknown, field: 'status' | 'priority'): string | null {
  if (typeof value === 'string') return value.toLowerCase();
  if (value !== null && typeof value === 'object' && typeof (value as Record<string, unknown>)[field] === 'string') return String((value as Record<string, unknown>)[field]).toLowerCase();
  return null;
}

function toCanonical(envelope: ZendeskEnvelope, eventType: string, detail: ReturnType<typeof zendeskTicketDetailSchema.parse>): TicketUpdated | string {
  const status = ticketStatusSchema.safeParse((detail.status ?? '').toLowerCase());
  if (!status.success) return `ticket ${detail.id}: status ${JSON.stringify(detail.status)} is none of Zendesk's`;
  const priority = detail.priority === null || detail.priority === undefined || detail.priority === '' ? null : detail.priority.toLowerCase();
  if (priority !== null && !PRIORITIES.has(priority)) return `ticket ${detail.id}: priority ${JSON.stringify(detail.priority)} is none of Zendesk's`;
  const [time, createdAt, updatedAt] = [instant(envelope.time), instant(detail.created_at), instant(detail.updated_at)];
  if (time === undefined || createdAt === undefined || updatedAt === undefined) return `ticket ${detail.id}: a time is not ISO-8601`;
  const kind = CHANGE_KINDS[eventType] ?? 'other';
  const change = (envelope.event ?? {}) as { previous?: unknown; current?: unknown };
  const field = kind === 'priority_changed' ? 'priority' : 'status';
  return {
    id: `zendesk:${envelope.id}:${TICKET_UPDATED}`,
    type: TICKET_UPDATED,
    source: 'zendesk',
    subject: `zendesk:ticket:${detail.id}`,
    time,
    correlationId: `zendesk:${envelope.id}`,
    causationId: envelope.id,
    dataVersion: TICKET_UPDATED_VERSION,
    data: {
      ticket: {
        system: 'zendesk',
        id: String(detail.id),
        organizationId: detail.organization_id === null || detail.organization_id === undefined || String(detail.organization_id) === '0' ? null : String(detail.organization_id),
        subject: detail.subject ?? null,
        status: status.data,
        priority: priority as TicketUpdated['data']['ticket']['priority'],
        tags: [...(detail.tags ?? [])],
        createdAt,
        updatedAt,
      },
      change: kind === 'created' ? { kind, previous: null, current: status.data } : kind === 'other' ? { kind, previous: null, current: eventType } : { kind, previous: changeValue(change.previous, field), current: changeValue(change.current, field) },
    },
  };
}
