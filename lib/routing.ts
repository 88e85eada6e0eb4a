/**
 * The routing table: the only place that says which canonical event types go to which flow.
 * The stack generates one EventBridge rule per flow from it; a test checks that every type here
 * exists in the event catalog (events/catalog.ts) and that every catalog type is routed somewhere.
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
} as const satisfies Record<string, readonly string[]>;

export type FlowName = keyof typeof ROUTES;

export const FLOW_NAMES = Object.keys(ROUTES) as FlowName[];

/** The EventBridge pattern of a flow's rule: canonical events (our source) of the flow's types. */
export function flowEventPattern(flow: FlowName, eventSource: string) {
  return { source: [eventSource], detailType: [...ROUTES[flow]] };
}
