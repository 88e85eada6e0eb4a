import type { AccountStandingLedger, StandingNoteTarget } from '../../domain/account-standing';
import type { BillingLedger } from '../../domain/billing-ledger';
import { OdooBillingLedger } from './billing-ledger';
import type { OdooCaller } from './odoo-caller';

/**
 * Standing tags (by name) and notes, over the billing ledger's tag operations: the tag of a name is found
 * by name, else created by external id, cached per container and shared with the billing flows when the
 * handler passes its ledger. Calls, warm container:
 * - hasTag: 1 (`read` of the partner's `category_id`);
 * - addTag / removeTag: 1 (`write` with a `(4, id)` / `(3, id)` command);
 * - note: 1 (`message_post`);
 * - the first use of a tag name in a container: +1 (search by name), +1 more when Odoo has no such tag (`load()`).
 */
export class OdooAccountStandingLedger implements AccountStandingLedger {
  private readonly ledger: Pick<BillingLedger, 'tagId' | 'partnerHasTag' | 'addPartnerTag' | 'removePartnerTag' | 'note'>;

  constructor(odoo: OdooCaller, ledger?: OdooBillingLedger) {
    this.ledger = ledger ?? new OdooBillingLedger(odoo);
  }

  async hasTag(partnerId: number, tagName: string): Promise<boolean> {
    return this.ledger.partnerHasTag(partnerId, await this.ledger.tagId(tagName));
  }

  async addTag(partnerId: number, tagName: string): Promise<void> {
    await this.ledger.addPartnerTag(partnerId, await this.ledger.tagId(tagName));
  }

  async removeTag(partnerId: number, tagName: string): Promise<void> {
    await this.ledger.removePartnerTag(partnerId, await this.ledger.tagId(tagName));
  }

  async note(model: StandingNoteTarget, id: number, body: string): Promise<void> {
    await this.ledger.note(model, id, body);
  }
}
