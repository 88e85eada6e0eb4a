import type { SupportLedger } from '../../domain/support-ledger';
import type { OdooCaller, OdooRecord } from './odoo-caller';
import { postNote } from './record-operations';

/** The support flows' side of Odoo: 1 call each (`read` of the partner's name, `message_post` of a note). */
export class OdooSupportLedger implements SupportLedger {
  constructor(private readonly odoo: OdooCaller) {}

  async partnerName(partnerId: number): Promise<string | undefined> {
    const [record] = await this.odoo.call<OdooRecord[]>('res.partner', 'read', { ids: [partnerId], fields: ['display_name'] });
    return typeof record?.['display_name'] === 'string' && record['display_name'] !== '' ? record['display_name'] : undefined;
  }

  async note(partnerId: number, body: string): Promise<void> {
    await postNote(this.odoo, 'res.partner', partnerId, body);
  }
}
