import * as z from 'zod/mini';

/**
 * Zendesk's event-subscription envelope (`zendesk_event_version` 2022-11-06): fixed, versioned, and the same for
 * every event type. Ids come as strings (numbers tolerated), enums in upper case (`OPEN`, `HIGH`). Loose objects:
 * Zendesk adds fields within a version.
 */
const id = z.union([z.string(), z.number()]).check(z.refine((value) => String(value) !== ''));

export const zendeskTicketDetailSchema = z.looseObject({
  id,
  actor_id: z.optional(z.nullable(id)),
  organization_id: z.optional(z.nullable(id)),
  subject: z.optional(z.nullable(z.string())),
  status: z.optional(z.nullable(z.string())),
  priority: z.optional(z.nullable(z.string())),
  tags: z.optional(z.nullable(z.array(z.string()))),
  created_at: z.string(),
  updated_at: z.string(),
});

export const zendeskEnvelopeSchema = z.looseObject({
  type: z.string().check(z.startsWith('zen:event-type:')),
  account_id: id,
  id: z.string().check(z.minLength(1)),
  time: z.string(),
  zendesk_event_version: z.string(),
  subject: z.string(),
  detail: z.looseObject({}),
  event: z.optional(z.unknown()),
});
export type ZendeskEnvelope = z.infer<typeof zendeskEnvelopeSchema>;
export type ZendeskTicketDetail = z.infer<typeof zendeskTicketDetailSchema>;
