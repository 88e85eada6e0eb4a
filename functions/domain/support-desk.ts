import type { SourceSystem } from '../../events/envelope';
import type { Watermark } from './watermark';

/**
 * The support desk as the flows see it: the organization of a customer (kept in step with its entitlement) and the
 * tickets its people open. The provider's module implements it (functions/providers/<system>/), and maps the
 * logical fields below to the desk's own field keys (stage config).
 */

/** What support agents see of a customer's entitlement on its organization: text values, empty when unknown. */
export interface SupportOrganizationFields {
  readonly plan: string;
  readonly tier: string;
  readonly standing: string;
  readonly standingSince: string;
  readonly odooPartnerId: string;
  readonly billingCustomerId: string;
  readonly mrr: string;
  /** The entitlement's watermark: the desk refuses an older one (a stale push never overwrites a newer). */
  readonly watermark: Watermark;
}

export interface SupportOrganization {
  /** The canonical customer id: the organization's external id. */
  readonly externalId: string;
  /** The name an organization is created with (an existing one keeps its own). */
  readonly name: string;
  readonly fields: SupportOrganizationFields;
  /** Tags the integration manages (tier, standing): set exactly, other tags on the organization are kept. */
  readonly managedTags: readonly string[];
  /** Every tag the integration may set, so that one it no longer sets is removed. */
  readonly managedTagPrefix: string;
}

export type OrganizationPush = { outcome: 'written'; organizationId: string } | { outcome: 'stale'; organizationId: string; deskWatermark: Watermark };

export interface SupportTicketChange {
  readonly priority?: 'low' | 'normal' | 'high' | 'urgent';
  /** Tags added to the ticket's own (none removed). */
  readonly addTags: readonly string[];
  /** An internal note for the agent (never shown to the requester). */
  readonly internalNote?: string;
}

export interface SupportDesk {
  /** The desk's system (its events' `source`, its identity-map keys). */
  readonly system: SourceSystem;
  /** Creates or updates the organization by external id, unless the desk already holds a newer watermark. */
  upsertOrganization(organization: SupportOrganization): Promise<OrganizationPush>;
  /** The customer's billing contact as a user of its organization (created, or updated by email). */
  linkContact(organizationId: string, contact: { name: string; email: string }): Promise<void>;
  /** Changes a ticket as the integration's own user: its events come back and are dropped as our own writes. */
  updateTicket(ticketId: string, change: SupportTicketChange): Promise<void>;
  /** The external id (canonical customer) of an organization, read from the desk; undefined when it has none. */
  organizationExternalId(organizationId: string): Promise<string | undefined>;
  /** A link to the ticket an agent or a finance user can open (no personal data in it). */
  ticketUrl(ticketId: string): string;
}
