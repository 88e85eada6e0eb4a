import type { TicketUpdated } from '../../../events/ticket-updated';
import type { EntitlementStore } from '../../domain/entitlement-store';
import type { CustomerDirectory } from '../../domain/customer-directory';
import type { IdentityMap } from '../../domain/identity-map';
import type { BillingLedger } from '../../domain/billing-ledger';
import type { SupportDesk } from '../../domain/support-desk';
import type { SupportLedger } from '../../domain/support-ledger';
import { type SupportPolicy, ticketEscalation } from '../../domain/support-policy';
import type { TicketEffectsStore } from '../../domain/ticket-effects';
import { isNewer, type WatermarkStore, watermarkOf } from '../../domain/watermark';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { CANONICAL_CUSTOMER, organizationKey } from '../canonical-customer';
import { canonicalCustomer } from '../customer-identity';
import { formatAmount } from '../entitlements/sync-entitlement';
import { findPartner } from '../known-partner';


export interface TicketFlowPorts {
  readonly desk: SupportDesk | undefined;
  readonly entitlements: Pick<EntitlementStore, 'load'>;
  readonly effects: TicketEffectsStore;
  readonly watermarks: WatermarkStore;
  readonly identityMap: IdentityMap;
  /** The one-customer directory: an organization of a customer since joined to another is the survivor's. */
  readonly directory: CustomerDirectory;
  readonly partners: Pick<BillingLedger, 'partnerByExternalId'>;
  readonly ledger: Pick<SupportLedger, 'note'>;
  readonly policy: SupportPolicy;
}

export type TicketOutcome =
  | { outcome: 'applied'; escalated: boolean; noted: readonly ('opened' | 'solved')[] }
  | { outcome: 'nothing-to-do'; reason: string }
  | { outcome: 'not-a-customer'; reason: string };

const SOLVED = new Set(['solved', 'closed']);

/**
 * A ticket event → the effects the support policy asks for, each once per ticket: a new ticket of a customer whose
 * entitlement warrants it is escalated (priority by tier, and when the customer is in arrears the policy's tag with
 * an internal note naming the open invoice); the customer's Odoo partner gets a note when the ticket opens and when
 * it is solved (subject, status, link: nothing about the requester).
 *
 * Effects are recorded per ticket under its lease and keyed by kind, not by event: a redelivery, or the opening
 * delivered after the solving, ends in the same desk and Odoo state. The watermark (the ticket's `updatedAt`) keeps
 * the newest change seen; an event older than it adds only what it alone can say (that the ticket was opened).
 */
export async function syncTicket(event: TicketUpdated, ports: TicketFlowPorts): Promise<TicketOutcome> {
  const { ticket, change } = event.data;
  const opened = change.kind === 'created';
  const solved = change.kind === 'status_changed' && SOLVED.has(ticket.status);
  if (!opened && !solved) return { outcome: 'nothing-to-do', reason: `${change.kind} ${change.current ?? ''}`.trim() };
  if (ticket.organizationId === null) return { outcome: 'not-a-customer', reason: `ticket ${ticket.id} has no organization` };

  const customer = await customerOfOrganization(ticket.system, ticket.organizationId, ports);
  if (customer === undefined) return { outcome: 'not-a-customer', reason: `organization ${ticket.organizationId} is no customer the integration knows` };
  const { published: entitlement } = await ports.entitlements.load(customer);
  if (entitlement === undefined) return { outcome: 'not-a-customer', reason: `customer ${customer} has no entitlement yet` };

  const ticketKey = `${ticket.system}:ticket:${ticket.id}`;
  const watermark = watermarkOf({ time: ticket.updatedAt, causationId: event.causationId });
  return underWatermarkLease<TicketOutcome>(ports.watermarks, ticketKey, event.id, async (current) => {
    const effects = await ports.effects.load(ticketKey);
    let next = effects;
    let escalated = false;
    // The note says the priority the ticket has once escalated, not the one it arrived with.
    let priority = ticket.priority;
    const noted: ('opened' | 'solved')[] = [];
    const partnerId = await partnerOfCustomer(entitlement.billingCustomers, ports);
    const link = ports.desk?.ticketUrl(ticket.id) ?? `${ticket.system} ticket ${ticket.id}`;

    if (opened && !effects.escalated && ports.desk !== undefined) {
      const escalation = ticketEscalation(entitlement, ticket, ports.policy, formatAmount);
      if (escalation !== undefined) {
        await ports.desk.updateTicket(ticket.id, escalation);
        escalated = true;
        priority = escalation.priority ?? priority;
      }
      next = { ...next, escalated: true };
      await ports.effects.save(ticketKey, event.id, next);
    }
    if (opened && !effects.openedNoted && partnerId !== undefined) {
      await ports.ledger.note(partnerId, `Support ticket #${ticket.id} opened: “${ticket.subject ?? '(no subject)'}” (${priority ?? 'no'} priority, customer ${entitlement.status.replace('_', ' ')}, tier ${entitlement.tier}). ${link}`);
      next = { ...next, openedNoted: true };
      noted.push('opened');
      await ports.effects.save(ticketKey, event.id, next);
    }
    if (solved && !effects.solvedNoted && partnerId !== undefined) {
      await ports.ledger.note(partnerId, `Support ticket #${ticket.id} ${ticket.status}: “${ticket.subject ?? '(no subject)'}”. ${link}`);
      next = { ...next, solvedNoted: true };
      noted.push('solved');
      await ports.effects.save(ticketKey, event.id, next);
    }
    const result: TicketOutcome = escalated || noted.length > 0 ? { outcome: 'applied', escalated, noted } : { outcome: 'nothing-to-do', reason: 'already done for this ticket' };
    return isNewer(watermark, current) ? { result, commit: watermark } : { result };
  });
}

/**
 * The canonical customer of a desk organization: the link the entitlement push made, else the organization's external
 * id — followed through any later join, so a ticket of an absorbed customer's organization is escalated by the
 * survivor's entitlement (the one its facts went into).
 */
async function customerOfOrganization(system: TicketUpdated['data']['ticket']['system'], organizationId: string, ports: TicketFlowPorts): Promise<string | undefined> {
  const linked = await ports.identityMap.find(organizationKey(system, organizationId), CANONICAL_CUSTOMER.system, CANONICAL_CUSTOMER.kind);
  if (linked !== undefined) return canonicalCustomer(ports.directory, linked);
  if (ports.desk === undefined) return undefined;
  const externalId = await ports.desk.organizationExternalId(organizationId);
  if (externalId === undefined) return undefined;
  await ports.identityMap.link(organizationKey(system, organizationId), { ...CANONICAL_CUSTOMER, id: externalId });
  return canonicalCustomer(ports.directory, externalId);
}

async function partnerOfCustomer(customers: readonly { system: TicketUpdated['source']; customerId: string }[], ports: TicketFlowPorts): Promise<number | undefined> {
  for (const customer of customers) {
    const partnerId = await findPartner({ identityMap: ports.identityMap, ledger: ports.partners }, customer);
    if (partnerId !== undefined) return partnerId;
  }
  return undefined;
}
