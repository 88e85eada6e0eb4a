import type { BillingCustomerRef } from '../../functions/domain/entitlement';
import { EMPTY_ENTITLEMENT_STATE, type EntitlementState, type EntitlementStore, type InvoiceRef } from '../../functions/domain/entitlement-store';
import type { OrganizationPush, SupportDesk, SupportOrganization, SupportTicketChange } from '../../functions/domain/support-desk';
import type { SupportLedger } from '../../functions/domain/support-ledger';
import { NO_TICKET_EFFECTS, type TicketEffects, type TicketEffectsStore } from '../../functions/domain/ticket-effects';
import type { InMemoryWatermarks } from './in-memory-ports';

/** The entitlement store in memory, holding the watermark table's lease rule: only the lease owner saves. */
export class InMemoryEntitlementStore implements EntitlementStore {
  readonly states = new Map<string, EntitlementState>();
  readonly invoices = new Map<string, { owner?: BillingCustomerRef; paidAt?: string }>();
  constructor(private readonly watermarks: InMemoryWatermarks) {}
  async load(customer: string) {
    return this.states.get(customer) ?? EMPTY_ENTITLEMENT_STATE;
  }
  async save(customer: string, leaseOwner: string, state: EntitlementState) {
    if (this.watermarks.leases.get(`entitlement:${customer}`) !== leaseOwner) throw new Error('lease lost');
    this.states.set(customer, JSON.parse(JSON.stringify(state)) as EntitlementState);
  }
  async claimInvoice(invoice: InvoiceRef, owner: BillingCustomerRef) {
    const entry = { ...this.invoices.get(`${invoice.system}:${invoice.id}`), owner };
    this.invoices.set(`${invoice.system}:${invoice.id}`, entry);
    return { paidAt: entry.paidAt ?? null };
  }
  async recordInvoicePayment(invoice: InvoiceRef, paidAt: string) {
    const entry = this.invoices.get(`${invoice.system}:${invoice.id}`) ?? {};
    entry.paidAt ??= paidAt;
    this.invoices.set(`${invoice.system}:${invoice.id}`, entry);
    return { owner: entry.owner };
  }
  async invoiceOwner(invoice: InvoiceRef) {
    return this.invoices.get(`${invoice.system}:${invoice.id}`)?.owner;
  }
}

/** A support desk in memory: organizations by external id with the watermark rule, ticket updates recorded. */
export class InMemorySupportDesk implements SupportDesk {
  readonly system = 'zendesk' as const;
  readonly organizations = new Map<string, SupportOrganization & { id: string }>();
  readonly ticketUpdates: { ticketId: string; change: SupportTicketChange }[] = [];
  readonly contacts: { organizationId: string; name: string; email: string }[] = [];
  pushes = 0;
  async upsertOrganization(organization: SupportOrganization): Promise<OrganizationPush> {
    const existing = this.organizations.get(organization.externalId);
    if (existing !== undefined && existing.fields.watermark > organization.fields.watermark) return { outcome: 'stale', organizationId: existing.id, deskWatermark: existing.fields.watermark };
    const id = existing?.id ?? String(360000 + this.organizations.size + 1);
    this.organizations.set(organization.externalId, { ...organization, name: existing?.name ?? organization.name, id });
    this.pushes += 1;
    return { outcome: 'written', organizationId: id };
  }
  async linkContact(organizationId: string, contact: { name: string; email: string }) {
    this.contacts.push({ organizationId, ...contact });
  }
  async updateTicket(ticketId: string, change: SupportTicketChange) {
    this.ticketUpdates.push({ ticketId, change });
  }
  async organizationExternalId(organizationId: string) {
    return [...this.organizations.values()].find((organization) => organization.id === organizationId)?.externalId;
  }
  ticketUrl(ticketId: string) {
    return `https://acme.zendesk.example/agent/tickets/${ticketId}`;
  }
}

export class InMemorySupportLedger implements SupportLedger {
  readonly contacts = new Map<number, { name: string; email: string | undefined }>();
  readonly notes: { partnerId: number; body: string }[] = [];
  async partnerContact(partnerId: number) {
    return this.contacts.get(partnerId);
  }
  async note(partnerId: number, body: string) {
    this.notes.push({ partnerId, body });
  }
}

export class InMemoryTicketEffects implements TicketEffectsStore {
  readonly effects = new Map<string, TicketEffects>();
  constructor(private readonly watermarks: InMemoryWatermarks) {}
  async load(ticketKey: string) {
    return this.effects.get(ticketKey) ?? NO_TICKET_EFFECTS;
  }
  async save(ticketKey: string, leaseOwner: string, effects: TicketEffects) {
    if (this.watermarks.leases.get(ticketKey) !== leaseOwner) throw new Error('lease lost');
    this.effects.set(ticketKey, effects);
  }
}
