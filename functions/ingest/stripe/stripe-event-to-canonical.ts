import * as z from 'zod/mini';
import { CUSTOMER_DELETED, CUSTOMER_DELETED_VERSION, type CustomerDeleted } from '../../../events/customer-deleted';
import {
  CUSTOMER_UPSERTED,
  CUSTOMER_UPSERTED_VERSION,
  type CustomerSnapshot,
  type CustomerUpserted,
} from '../../../events/customer-upserted';
import { entityKey } from '../../../events/envelope';
import type { CanonicalEvent } from '../../../events/catalog';
import { describeIssue } from '../../shared/validation-issues';

/** The part of a Stripe event every mapping relies on; the rest passes through untyped. */
export const stripeEventSchema = z.object({
  id: z.string().check(z.regex(/^evt_/)),
  object: z.literal('event'),
  type: z.string().check(z.minLength(1)),
  created: z.int().check(z.positive()),
  livemode: z.boolean(),
  api_version: z.nullish(z.string()),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
export type StripeEvent = z.infer<typeof stripeEventSchema>;

const optionalText = () => z.nullish(z.string());

const stripeCustomerSchema = z.object({
  id: z.string().check(z.regex(/^cus_/)),
  name: optionalText(),
  email: optionalText(),
  phone: optionalText(),
  currency: optionalText(),
  livemode: z.optional(z.boolean()),
  address: z.nullish(
    z.object({
      line1: optionalText(),
      line2: optionalText(),
      city: optionalText(),
      postal_code: optionalText(),
      state: optionalText(),
      country: optionalText(),
    }),
  ),
});

/** A Stripe event that says it is about a customer but whose object is not one. */
export class MalformedStripeObjectError extends Error {
  constructor(eventId: string, detail: string) {
    super(`Stripe event ${eventId}: ${detail}`);
    this.name = 'MalformedStripeObjectError';
  }
}

export type MappingResult = { handled: true; events: CanonicalEvent[] } | { handled: false };

/** Stripe event types this ingest turns into canonical events; anything else is acknowledged and counted. */
export const HANDLED_STRIPE_EVENT_TYPES = ['customer.created', 'customer.updated', 'customer.deleted'] as const;

/** Translates one Stripe event into canonical events. Pure: no I/O, no clock. */
export function stripeEventToCanonical(event: StripeEvent): MappingResult {
  switch (event.type) {
    case 'customer.created':
    case 'customer.updated':
      return { handled: true, events: [customerUpserted(event, parseCustomer(event))] };
    case 'customer.deleted':
      return { handled: true, events: [customerDeleted(event, parseCustomer(event).id)] };
    default:
      return { handled: false };
  }
}

function parseCustomer(event: StripeEvent) {
  const parsed = stripeCustomerSchema.safeParse(event.data.object);
  if (!parsed.success) throw new MalformedStripeObjectError(event.id, `data.object is not a customer (${describeIssue(parsed.error.issues[0])})`);
  return parsed.data;
}

function envelope<Type extends string>(event: StripeEvent, type: Type, customerId: string) {
  return {
    // One Stripe event yields at most one event of each canonical type, so this id is stable across redeliveries.
    id: `stripe:${event.id}:${type}`,
    type,
    source: 'stripe' as const,
    subject: entityKey('stripe', 'customer', customerId),
    time: new Date(event.created * 1000).toISOString(),
    correlationId: `stripe:${event.id}`,
    causationId: event.id,
  };
}

function customerUpserted(event: StripeEvent, customer: z.infer<typeof stripeCustomerSchema>): CustomerUpserted {
  const address = customer.address;
  const snapshot: CustomerSnapshot = {
    system: 'stripe',
    id: customer.id,
    name: customer.name ?? null,
    email: customer.email ?? null,
    phone: customer.phone ?? null,
    address:
      address && Object.values(address).some((value) => value)
        ? {
            line1: address.line1 ?? null,
            line2: address.line2 ?? null,
            city: address.city ?? null,
            postalCode: address.postal_code ?? null,
            state: address.state ?? null,
            country: address.country ? address.country.toUpperCase() : null,
          }
        : null,
    currency: customer.currency ?? null,
    livemode: customer.livemode ?? event.livemode,
  };
  return { ...envelope(event, CUSTOMER_UPSERTED, customer.id), dataVersion: CUSTOMER_UPSERTED_VERSION, data: { customer: snapshot } };
}

function customerDeleted(event: StripeEvent, customerId: string): CustomerDeleted {
  return {
    ...envelope(event, CUSTOMER_DELETED, customerId),
    dataVersion: CUSTOMER_DELETED_VERSION,
    data: { customer: { system: 'stripe', id: customerId } },
  };
}
