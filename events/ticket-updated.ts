import * as z from 'zod/mini';
import { instantSchema, providerIdSchema } from './billing-parts';
import { canonicalEnvelope, sourceSystemSchema } from './envelope';

export const TICKET_UPDATED = 'ticket.updated';
export const TICKET_UPDATED_VERSION = 1;

export const ticketStatusSchema = z.enum(['new', 'open', 'pending', 'hold', 'solved', 'closed']);
export type TicketStatus = z.infer<typeof ticketStatusSchema>;

/**
 * A support ticket created or changed at the desk: the ticket as the event shows it (no requester name or email:
 * ids only) and what changed. One type for every change, so that the ticket's watermark (its `updatedAt`) orders
 * them. `organizationId` is the desk's organization, which the integration created for a canonical customer.
 */
export const ticketUpdatedSchema = canonicalEnvelope(
  TICKET_UPDATED,
  TICKET_UPDATED_VERSION,
  z.strictObject({
    ticket: z.strictObject({
      system: sourceSystemSchema,
      id: providerIdSchema,
      organizationId: z.nullable(providerIdSchema),
      subject: z.nullable(z.string()),
      status: ticketStatusSchema,
      priority: z.nullable(z.enum(['low', 'normal', 'high', 'urgent'])),
      tags: z.array(z.string()),
      createdAt: instantSchema,
      updatedAt: instantSchema,
    }),
    change: z.strictObject({
      kind: z.enum(['created', 'status_changed', 'priority_changed', 'other']),
      previous: z.nullable(z.string()),
      current: z.nullable(z.string()),
    }),
  }),
);
export type TicketUpdated = z.infer<typeof ticketUpdatedSchema>;
