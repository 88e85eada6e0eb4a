import type { AccountDeleted } from '../../../events/account-deleted';
import type { AccountMerged } from '../../../events/account-merged';
import type { AccountUpserted } from '../../../events/account-upserted';
import type { ContactDeleted } from '../../../events/contact-deleted';
import type { ContactMerged } from '../../../events/contact-merged';
import type { ContactUpserted } from '../../../events/contact-upserted';
import { entityKey } from '../../../events/envelope';
import { accountCandidate, accountPartnerWrite, contactAccountId, contactExternalId, contactToPartner } from '../../domain/crm-to-partner';
import { ownerOf } from '../../domain/identity-config';
import { DependencyMissingError } from '../../domain/invoice-errors';
import { isNewer, type Watermark, type WatermarkStore, watermarkOf } from '../../domain/watermark';
import { archiveRecordPartner, type CustomerIdentityPorts, markRecordState, recordWasDeleted, writeCustomerPartner } from '../customer-identity';
import { ODOO_PARTNER } from '../known-partner';
import { type CrmWriteBackPorts, writeBackCustomerIds } from '../crm-write-back';
import { underWatermarkLease } from '../../platform/watermark-lease';

export interface CrmSyncPorts extends CustomerIdentityPorts {
  readonly watermarks: WatermarkStore;
  /** The CRMs the company's ids are written back to (crm-write-back.ts); without, nothing is written back. */
  readonly crmWorkspaceOf?: CrmWriteBackPorts['crmWorkspaceOf'];
}

export type CrmEvent = AccountUpserted | AccountDeleted | AccountMerged | ContactUpserted | ContactDeleted | ContactMerged;

export type CrmSyncOutcome =
  | { outcome: 'upserted'; partnerId: number; restored?: true }
  | { outcome: 'merged'; partnerId: number; mergedIds: string[] }
  | { outcome: 'archived'; archived: boolean }
  | { outcome: 'dropped'; reason: string }
  | { outcome: 'stale'; watermark: string };

/**
 * Applies one CRM event to Odoo, exactly once in effect, as customer-sync does for billing customers: the record's
 * write lease, its watermark (any delivery order, any repetition ends the same), and the partner's external id.
 * - an account is its canonical customer's company partner (customer-identity.ts), the same partner a billing
 *   customer of the same company writes; deleted → archived (never deleted) unless another system still has it;
 * - a contact is a child partner of its account's partner; an account Odoo does not have yet is a retryable
 *   `DependencyMissingError` (its event is on its way); deleted → archived;
 * - a merge: the survivor is written, the merged-away records are gone — their watermark moves past the merge, so a
 *   late event about them changes nothing, and their identity-map links lead to the survivor's partner;
 * - a restore (the CRM's undelete; the CRM sends it as an upsert, newer than the deletion): an account or contact last
 *   seen deleted is written with `active` again, so the partner its deletion archived comes back. Only then: a
 *   partner someone archived in Odoo while its CRM record lived stays archived.
 */
export async function syncCrm(event: CrmEvent, ports: CrmSyncPorts): Promise<CrmSyncOutcome> {
  const candidate = watermarkOf(event);
  const outcome = await underWatermarkLease<CrmSyncOutcome>(ports.watermarks, event.subject, event.id, async (current) => {
    if (!isNewer(candidate, current)) return { result: { outcome: 'stale', watermark: current ?? candidate } };
    return { result: await apply(event, ports, candidate), commit: candidate };
  });
  // Last, and on a stale event too: a retry whose first attempt wrote the partner but not the CRM writes it now.
  const { crmWorkspaceOf } = ports;
  if ((event.type === 'account.upserted' || event.type === 'account.merged') && crmWorkspaceOf !== undefined) await writeBackCustomerIds({ ...ports, crmWorkspaceOf }, event.subject);
  return outcome;
}

async function apply(event: CrmEvent, ports: CrmSyncPorts, watermark: Watermark): Promise<CrmSyncOutcome> {
  switch (event.type) {
    case 'account.upserted': {
      const restored = await recordWasDeleted(ports.identityMap, event.subject);
      const { values, always } = accountPartnerWrite(event.data.account);
      const { partnerId } = await writeCustomerPartner(ports, { candidate: accountCandidate(event.data.account), source: 'crm', values, always: restored ? { ...always, active: true } : always });
      return { outcome: 'upserted', partnerId, ...(restored ? { restored } : {}) };
    }
    case 'account.merged': {
      const { account, mergedIds } = event.data;
      // The merged-away accounts are proof the survivor is their company: their customers join it (and their partners
      // are merged in Odoo, or flagged, as the stage says).
      const { partnerId } = await writeCustomerPartner(ports, { candidate: accountCandidate(account, mergedIds), source: 'crm', ...accountPartnerWrite(account) });
      for (const id of mergedIds) await retire(ports, entityKey(account.system, 'account', id), event, watermark, partnerId);
      return { outcome: 'merged', partnerId, mergedIds };
    }
    case 'account.deleted':
      return { outcome: 'archived', ...(await archiveRecordPartner(ports, event.subject, event.time)) };
    case 'contact.upserted': {
      if (ownerOf(ports.identity, 'contacts') !== 'crm') return dropContacts(ports, event.subject);
      const { partnerId, restored } = await writeContact(ports, event.data.contact, event.subject);
      return { outcome: 'upserted', partnerId, ...(restored ? { restored } : {}) };
    }
    case 'contact.merged': {
      if (ownerOf(ports.identity, 'contacts') !== 'crm') return dropContacts(ports, event.subject);
      const { contact, mergedIds } = event.data;
      const { partnerId } = await writeContact(ports, contact, event.subject);
      for (const id of mergedIds) {
        const key = entityKey(contact.system, 'contact', id);
        const known = await ports.identityMap.find(key, ODOO_PARTNER.system, ODOO_PARTNER.kind);
        if (known !== String(partnerId)) await ports.partners.archive(contactExternalId({ system: contact.system, id }), known === undefined ? undefined : Number(known));
        await retire(ports, key, event, watermark, partnerId);
      }
      return { outcome: 'merged', partnerId, mergedIds };
    }
    case 'contact.deleted': {
      // Remembered, so that a restore of the contact unarchives its partner.
      await markRecordState(ports.identityMap, event.subject, { deletedAt: event.time });
      const known = await ports.identityMap.find(event.subject, ODOO_PARTNER.system, ODOO_PARTNER.kind);
      return { outcome: 'archived', ...(await ports.partners.archive(contactExternalId(event.data.contact), known === undefined ? undefined : Number(known))) };
    }
  }
}

async function writeContact(ports: CrmSyncPorts, contact: ContactUpserted['data']['contact'], key: string): Promise<{ partnerId: number; restored: boolean }> {
  const accountId = contactAccountId(contact);
  let parentId: number | false = false;
  if (accountId !== undefined) {
    const parent = await ports.identityMap.find(entityKey(contact.system, 'account', accountId), ODOO_PARTNER.system, ODOO_PARTNER.kind);
    if (parent === undefined) throw new DependencyMissingError(`contact ${contact.id}: its account ${accountId} is not in Odoo yet (its own event syncs it first)`);
    parentId = Number(parent);
  }
  const known = await ports.identityMap.find(key, ODOO_PARTNER.system, ODOO_PARTNER.kind);
  const knownId = known === undefined ? undefined : Number(known);
  const restored = await recordWasDeleted(ports.identityMap, key);
  const values = contactToPartner(contact, parentId);
  const { id } = await ports.partners.upsert(contactExternalId(contact), restored ? { ...values, active: true } : values, knownId);
  if (id !== knownId) await ports.identityMap.link(key, { ...ODOO_PARTNER, id: String(id) });
  if (restored) await markRecordState(ports.identityMap, key, 'live');
  return { partnerId: id, restored };
}

function dropContacts(ports: CrmSyncPorts, record: string): CrmSyncOutcome {
  ports.onDroppedField({ field: 'contacts', source: 'crm', record, customerId: '' });
  return { outcome: 'dropped', reason: 'the stage does not let the CRM own contacts' };
}

/**
 * A record merged away: gone from the CRM. Its watermark moves to the merge's (a late event about it is stale), and
 * its identity-map link leads to the survivor's partner. Another event holding its lease is retryable, as any lease.
 */
async function retire(ports: CrmSyncPorts, key: string, event: CrmEvent, watermark: Watermark, survivorPartnerId: number): Promise<void> {
  const { watermark: current } = await ports.watermarks.acquire(key, event.id);
  try {
    await ports.identityMap.link(key, { ...ODOO_PARTNER, id: String(survivorPartnerId) });
    await ports.identityMap.link(key, { system: 'saas_sync', kind: 'record_state', id: `deleted ${event.time}` });
  } finally {
    if (isNewer(watermark, current)) await ports.watermarks.commit(key, event.id, watermark);
    else await ports.watermarks.release(key, event.id);
  }
}
