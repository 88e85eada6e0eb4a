/**
 * The routing table: the only place that says which canonical event types go to which flow.
 * The stack generates one EventBridge rule per flow from it; a test checks that every type here
 * exists in the event catalog (events/catalog.ts) and that every catalog type is routed to one flow
 * or listed in `UNROUTED` below.
 */
export const ROUTES = {
  'customer-sync': ['customer.upserted', 'customer.deleted'],
  // Every event about money on an invoice goes through one flow: they share the invoice's write lease.
  'billing-sync': [
    'invoice.finalized',
    'invoice.voided',
    'invoice.uncollectible',
    'payment.succeeded',
    'payment.failed',
    'refund.created',
    'refund.updated',
    'credit_note.issued',
    'dispute.updated',
  ],
  'subscription-sync': ['subscription.updated'],
  // CRM accounts and contacts → the company partner of the account's canonical customer and its child partners.
  'crm-sync': ['account.upserted', 'account.deleted', 'account.merged', 'contact.upserted', 'contact.deleted', 'contact.merged'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Catalog types no flow consumes yet: the ingest publishes them, the bus archive keeps every one (replayable into
 * the flow that will consume them), and no rule targets them. A type leaves this list for a flow's row above
 * when its consumer exists; listing it here is a decision, so a catalog type is never unrouted by oversight.
 */
export const UNROUTED = [
  // The CRM's deals: their consumer into Odoo (quotations) comes next.
  'deal.upserted',
  'deal.deleted',
] as const;

export type FlowName = keyof typeof ROUTES;

export const FLOW_NAMES = Object.keys(ROUTES) as FlowName[];

/** The EventBridge pattern of a flow's rule: canonical events (our source) of the flow's types. */
export function flowEventPattern(flow: FlowName, eventSource: string) {
  return { source: [eventSource], detailType: [...ROUTES[flow]] };
}
