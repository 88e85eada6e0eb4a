import type { PartnerMerger } from '../../domain/partner-merger';
import type { OdooCaller } from './odoo-caller';
import { OdooProtocolError } from './odoo-errors';
import { postNote } from './record-operations';

const WIZARD = 'base.partner.merge.automatic.wizard';

/**
 * Partner merges with Odoo's own wizard (Contacts › Merge), so Odoo moves what points at the absorbed partner
 * (invoices and journal items, payments, child contacts, chatter, followers, bank accounts) and deletes it, exactly as
 * when a person merges. 2 calls: `create` (both partners, the survivor as destination) + `action_merge`. The API user
 * must be an administrator: Odoo refuses others a merge of partners whose emails differ.
 */
export class OdooPartnerMerger implements PartnerMerger {
  constructor(private readonly odoo: OdooCaller) {}

  async merge(survivorId: number, absorbedId: number): Promise<void> {
    const [wizardId] = await this.odoo.call<number[]>(WIZARD, 'create', { vals_list: [{ partner_ids: [[6, 0, [survivorId, absorbedId]]], dst_partner_id: survivorId }] });
    if (typeof wizardId !== 'number') throw new OdooProtocolError('partner merge wizard create returned no id', { model: WIZARD, method: 'create' });
    await this.odoo.call(WIZARD, 'action_merge', { ids: [wizardId] });
  }

  async flagForReview(partnerIds: readonly [number, number], reason: string): Promise<void> {
    const [first, second] = partnerIds;
    const note = (other: number) => `Possible duplicate of partner #${other}: ${reason}. Merge them with Contacts › Merge when confirmed (the integration was configured to leave this to a person).`;
    await postNote(this.odoo, 'res.partner', first, note(second));
    await postNote(this.odoo, 'res.partner', second, note(first));
  }
}
