import type { AccountStandingLedger, StandingNoteTarget } from '../../domain/account-standing';
import type { BillingLedger } from '../../domain/billing-ledger';
import { OdooBillingLedger } from './billing-ledger';
import type { OdooCaller, OdooRecord } from './odoo-caller';
import { addPartnerTag, removePartnerTag } from './partner-operations';
import { postNote } from './record-operations';

/**
 * Standing tags and notes over the Odoo client. The tag of a name is the billing ledger's `tagId`
 * (found by name, else created by external id; cached per container, shared with the billing flows when
 * the handler passes its ledger). Calls, warm container:
 * - hasTag: 1 (`read` of the partner's `category_id`);
 * - addTag / removeTag: 1 (`write` with a `(4, id)` / `(3, id)` command);
 * - note: 1 (`message_post`);
 * - the first use of a tag name in a container: +1 (search by name), +1 more when Odoo has no such tag (`load()`).
 */
export class OdooAccountStandingLedger implements AccountStandingLedger {
  constructor(
    private readonly odoo: OdooCaller,
    private readonly tags: Pick<BillingLedger, 'tagId'> = new OdooBillingLedger(odoo),
  ) {}

  async hasTag(partnerId: number, tagName: string): Promise<boolean> {
    const tagId = await this.tags.tagId(tagName);
    const [partner] = await this.odoo.call<OdooRecord[]>('res.partner', 'read', { ids: [partnerId], fields: ['category_id'] });
    return Array.isArray(partner?.category_id) && (partner.category_id as unknown[]).includes(tagId);
  }

  async addTag(partnerId: number, tagName: string): Promise<void> {
    await addPartnerTag(this.odoo, partnerId, await this.tags.tagId(tagName));
  }

  async removeTag(partnerId: number, tagName: string): Promise<void> {
    await removePartnerTag(this.odoo, partnerId, await this.tags.tagId(tagName));
  }

  async note(model: StandingNoteTarget, id: number, body: string): Promise<void> {
    await postNote(this.odoo, model, id, body);
  }
}
