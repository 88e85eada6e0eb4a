/**
 * The routing table: the only place that says which canonical event types go to which flow.
 * The stack generates one EventBridge rule per flow from it (each rule targets its flow's queue), so a type listed
 * in two flows reaches both: EventBridge delivers an event to every rule that matches it. A test checks that every
 * type here exists in the event catalog (events/catalog.ts) and that every catalog type is routed to at least one
 * flow or listed in `UNROUTED` below, never both.
 */
export const ROUTES = {
  'customer-sync': ['customer.upserted', 'customer.deleted'],
  // Every event about money on an invoice goes through one flow: they share the invoice's write lease.
  'billing-sync': [
    'invoice.finalized',
    'invoice.voided',
    'invoice.uncollectible',
    'payment.succeeded',
    'refund.created',
    'refund.updated',
    'credit_note.issued',
    'dispute.updated',
  ],
  'subscription-sync': ['subscription.updated'],
  // CRM deals → Odoo quotations and orders; a won deal's confirmed order is announced as `deal.won`.
  'deal-sync': ['deal.upserted', 'deal.deleted'],
  // CRM accounts and contacts → the company partner of the account's canonical customer and its child partners.
  'crm-sync': ['account.upserted', 'account.deleted', 'account.merged', 'contact.upserted', 'contact.deleted', 'contact.merged'],
  // The customer's entitlement (plan, tier, standing) from the same billing facts the flows above book into Odoo:
  // a flow of its own, so a support desk that is slow or down never holds back the books, nor they it.
  entitlements: ['subscription.updated', 'payment.failed', 'payment.succeeded', 'invoice.uncollectible', 'dispute.updated'],
  // Tickets from the support desk: escalated by the customer's entitlement, noted on its Odoo partner.
  'support-tickets': ['ticket.updated'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Which canonical event types start which lifecycle saga (lib/constructs/lifecycle-saga.ts): one rule per saga,
 * generated from this table, targets the saga's starter. The saga owns what its first step does: a type it starts
 * on leaves the flow that did that step before (dunning's first step is the past-due standing billing-sync applied
 * before), while a flow with another concern (the entitlement) still takes it, by a rule of its own.
 */
export const SAGA_ROUTES = {
  dunning: ['payment.failed'],
  onboarding: ['deal.won'],
  // Every snapshot starts a run (a rule cannot see its status); the first step ends those that are no end at once.
  // subscription-sync and customer-sync still take these: the saga closes the contract through subscription-sync's
  // own use case (one lease and watermark: whichever comes first applies the end), and archives nothing.
  offboarding: ['subscription.updated', 'customer.deleted'],
  // subscription-sync amends the contract (one lease, one truth) and announces it; the saga follows it up.
  amendment: ['subscription.amended'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Catalog types no flow consumes yet: the ingest publishes them, the bus archive keeps every one (replayable into
 * the flow that will consume them), and no rule targets them. A type leaves this list for a flow's row above
 * when its consumer exists; listing it here is a decision, so a catalog type is never unrouted by oversight.
 */
export const UNROUTED = [
  // Published by the entitlements flow for the flows that will act on a customer's standing (the sagas).
  'entitlement.changed',
] as const;

export type FlowName = keyof typeof ROUTES;

export const FLOW_NAMES = Object.keys(ROUTES) as FlowName[];

export type SagaName = keyof typeof SAGA_ROUTES;

export const SAGA_NAMES = Object.keys(SAGA_ROUTES) as SagaName[];

/** The EventBridge pattern of a flow's rule: canonical events (our source) of the flow's types. */
export function flowEventPattern(flow: FlowName, eventSource: string) {
  return { source: [eventSource], detailType: [...ROUTES[flow]] };
}

/** The EventBridge pattern of a saga's starting rule: canonical events (our source) of the types that start it. */
export function sagaEventPattern(saga: SagaName, eventSource: string) {
  return { source: [eventSource], detailType: [...SAGA_ROUTES[saga]] };
}
