import type { SupportLedger } from '../../domain/support-ledger';
import type { OdooCaller, OdooRecord } from './odoo-caller';
import { postNote } from './record-operations';

/** The support flows' side of Odoo: 1 call each (`read` of the partner's name and email, `message_post` of a note). */
export class OdooSupportLedger implements SupportLedger {
  constructor(private readonly odoo: OdooCaller) {}

  async partnerContact(partnerId: number): Promise<{ name: string; email: string | undefined } | undefined> {
    const [record] = await this.odoo.call<OdooRecord[]>('res.partner', 'read', { ids: [partnerId], fields: ['display_name', 'email'] });
    if (typeof record?.['display_name'] !== 'string' || record['display_name'] === '') return undefined;
    return { name: record['display_name'], email: typeof record['email'] === 'string' && record['email'] !== '' ? record['email'] : undefined };
  }

  async note(partnerId: number, body: string): Promise<void> {
    await postNote(this.odoo, 'res.partner', partnerId, body);
  }
}
