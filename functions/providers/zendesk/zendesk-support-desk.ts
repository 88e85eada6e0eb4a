import type { OrganizationPush, SupportDesk, SupportOrganization, SupportOrganizationFields, SupportTicketChange } from '../../domain/support-desk';
import type { ZendeskApi, ZendeskTicketUpdate } from './zendesk-api';
import { ZendeskRequestError } from './zendesk-api-errors';

/** The organization field keys of the account (Admin Center → People → Organization fields), per logical field: stage config. */
export type ZendeskOrganizationFieldKeys = Readonly<Record<keyof SupportOrganizationFields, string>>;

export interface ZendeskSupportDeskSettings {
  readonly api: Pick<ZendeskApi, 'organizationsByExternalId' | 'createOrUpdateOrganization' | 'createOrUpdateUser' | 'updateTicket' | 'organization'>;
  readonly fieldKeys: ZendeskOrganizationFieldKeys;
  /** `https://<subdomain>.zendesk.com`: where an agent opens a ticket. */
  readonly agentUrl: string;
}

/**
 * Zendesk as the flows' support desk. An organization push is a read (by external id) and a `create_or_update`:
 * the read gives the watermark Zendesk holds (an older entitlement is not written over a newer one, even by a
 * writer whose lease ran out; an equal one is written again: a repeated push changes nothing) and the tags others set (Zendesk replaces an organization's tags as a whole: ours
 * are swapped, theirs kept).
 */
export function zendeskSupportDesk(settings: ZendeskSupportDeskSettings): SupportDesk {
  const { api, fieldKeys } = settings;
  return {
    system: 'zendesk',
    async upsertOrganization(organization: SupportOrganization): Promise<OrganizationPush> {
      const [existing] = await api.organizationsByExternalId(organization.externalId);
      if (existing !== undefined) {
        const held = existing.organization_fields[fieldKeys.watermark];
        if (typeof held === 'string' && held !== '' && held > organization.fields.watermark) {
          return { outcome: 'stale', organizationId: String(existing.id), deskWatermark: held };
        }
      }
      const othersTags = (existing?.tags ?? []).filter((tag) => !tag.startsWith(organization.managedTagPrefix));
      const organizationFields = Object.fromEntries(Object.entries(organization.fields).map(([field, value]) => [fieldKeys[field as keyof SupportOrganizationFields], value]));
      const write = (name: string) =>
        api.createOrUpdateOrganization({
          name,
          external_id: organization.externalId,
          tags: [...new Set([...othersTags, ...organization.managedTags])].sort(),
          organization_fields: organizationFields,
        });
      // An existing organization keeps the name agents may have given it.
      const written = await write(existing?.name ?? organization.name).catch((error: unknown) => {
        // Zendesk's organization names are unique, companies' are not (two "Acme Ltd", or two customers not known to
        // be one): the new organization is named after its customer too, the same name every time (idempotent).
        if (existing === undefined && error instanceof ZendeskRequestError && error.details.nameTaken) return write(`${organization.name} (${organization.externalId})`);
        throw error;
      });
      return { outcome: 'written', organizationId: String(written.id) };
    },
    async linkContact(organizationId: string, contact: { name: string; email: string }): Promise<void> {
      await api.createOrUpdateUser({ name: contact.name, email: contact.email, organization_id: Number(organizationId) });
    },
    async updateTicket(ticketId: string, change: SupportTicketChange): Promise<void> {
      const update: ZendeskTicketUpdate = {
        ...(change.priority === undefined ? {} : { priority: change.priority }),
        ...(change.addTags.length === 0 ? {} : { additional_tags: change.addTags }),
        ...(change.internalNote === undefined ? {} : { comment: { body: change.internalNote, public: false } }),
      };
      await api.updateTicket(ticketId, update);
    },
    async organizationExternalId(organizationId: string): Promise<string | undefined> {
      const organization = await api.organization(organizationId);
      return organization?.external_id || undefined;
    },
    ticketUrl: (ticketId) => `${settings.agentUrl.replace(/\/+$/, '')}/agent/tickets/${encodeURIComponent(ticketId)}`,
  };
}
