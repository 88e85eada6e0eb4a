import * as z from 'zod/mini';
import { type Entitlement, entitlementConfigSchema, type OpenInvoice } from './entitlement';
import type { SupportOrganization, SupportTicketChange } from './support-desk';

/**
 * What support does with an entitlement: the organization's fields and tags, and how a new ticket of the customer is
 * escalated. Stage config (`support`), validated at cold start.
 */

const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const supportPolicySchema = z.object({
  entitlements: entitlementConfigSchema,
  tagPrefix: z.string().check(z.regex(/^[a-z0-9_]+$/)),
  escalation: z.object({
    tierPriorities: z.array(z.object({ tier: z.string().check(z.minLength(1)), priority: z.enum(TICKET_PRIORITIES) })),
    pastDueTag: z.string().check(z.regex(/^[a-z0-9_]+$/)),
  }),
});
export type SupportPolicy = z.infer<typeof supportPolicySchema>;

/** How an amount of minor units reads in a currency (`12.50 USD`): the provider's module knows the decimals. */
export type AmountFormatter = (invoice: Pick<OpenInvoice, 'system'>, amount: number, currency: string) => string;

/** A tag value support desks accept: lower case, no spaces. */
const tagPart = (value: string) => value.toLowerCase().replace(/[^a-z0-9_]+/g, '_');

/**
 * The organization of the customer as the entitlement shows it: plan, tier, standing since when, its Odoo partner,
 * its billing customer ids and MRR as text; the tier and standing as tags the integration owns (by prefix).
 */
export function organizationOf(entitlement: Entitlement, context: { name: string; odooPartnerId: number | undefined; policy: SupportPolicy; format: AmountFormatter }): SupportOrganization {
  const { policy } = context;
  const firstSystem = entitlement.billingCustomers[0];
  const mrr = entitlement.mrr.map(({ currency, amount }) => (firstSystem === undefined ? `${amount} ${currency}` : context.format(firstSystem, amount, currency))).join(', ');
  return {
    externalId: entitlement.customer,
    name: context.name,
    fields: {
      plan: entitlement.plan ?? '',
      tier: entitlement.tier,
      standing: entitlement.status,
      standingSince: entitlement.since ?? '',
      odooPartnerId: context.odooPartnerId === undefined ? '' : String(context.odooPartnerId),
      billingCustomerId: entitlement.billingCustomers.map((ref) => `${ref.system}:${ref.customerId}`).join(', '),
      mrr,
      watermark: entitlement.watermark,
    },
    managedTags: [`${policy.tagPrefix}tier_${tagPart(entitlement.tier)}`, `${policy.tagPrefix}standing_${tagPart(entitlement.status)}`],
    managedTagPrefix: policy.tagPrefix,
  };
}

/**
 * How a new ticket of a customer with this entitlement is escalated, or undefined when it is not: the tier's priority
 * (never lowering the one the ticket has), and when the customer is past due or suspended the policy's tag with an
 * internal note saying why, naming the open invoice. A ticket of a cancelled customer is not escalated.
 */
export function ticketEscalation(
  entitlement: Entitlement,
  ticket: { priority: string | null },
  policy: SupportPolicy,
  format: AmountFormatter,
): SupportTicketChange | undefined {
  if (entitlement.status === 'cancelled') return undefined;
  const tierPriority = policy.escalation.tierPriorities.find((rule) => rule.tier === entitlement.tier)?.priority;
  const current = TICKET_PRIORITIES.indexOf((ticket.priority ?? 'normal').toLowerCase() as TicketPriority);
  const priority = tierPriority !== undefined && TICKET_PRIORITIES.indexOf(tierPriority) > current ? tierPriority : undefined;
  const inArrears = entitlement.status === 'past_due' || entitlement.status === 'suspended';
  if (priority === undefined && !inArrears) return undefined;
  return {
    ...(priority === undefined ? {} : { priority }),
    addTags: inArrears ? [policy.escalation.pastDueTag] : [],
    ...(inArrears ? { internalNote: arrearsNote(entitlement, format) } : {}),
  };
}

function arrearsNote(entitlement: Entitlement, format: AmountFormatter): string {
  const standing = entitlement.status === 'suspended' ? 'suspended (a disputed, written-off or long-overdue payment)' : 'past due';
  const since = entitlement.since === null ? '' : ` since ${entitlement.since.slice(0, 10)}`;
  const invoices = entitlement.openInvoices.map((invoice) => {
    const amount = invoice.amountDue === null || invoice.currency === null ? 'amount unknown' : format(invoice, invoice.amountDue, invoice.currency);
    return `invoice ${invoice.id} (${amount} due, payment failed ${invoice.failedAt.slice(0, 10)}${invoice.failureReason === null ? '' : `: ${invoice.failureReason}`})`;
  });
  const open = invoices.length === 0 ? 'No failed invoice is open.' : `Open: ${invoices.join('; ')}.`;
  return `Billing: this customer's account is ${standing}${since}. ${open} Plan ${entitlement.plan ?? 'none'}, support tier ${entitlement.tier}.`;
}
