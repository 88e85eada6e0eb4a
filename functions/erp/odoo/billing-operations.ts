import type { OdooCaller, OdooRecord } from './odoo-caller';
import { OdooProtocolError } from './odoo-errors';
import { postMove } from './invoice-operations';

/** Billing operations the generic ones (record-operations.ts) do not cover: a draft posted and read back. */

const MOVE = 'account.move';

/** Post a draft move and read it back: 2 calls. */
export async function postAndRead(odoo: OdooCaller, moveId: number, fields: readonly string[]): Promise<OdooRecord> {
  await postMove(odoo, moveId);
  const [record] = await odoo.call<OdooRecord[]>(MOVE, 'read', { ids: [moveId], fields: [...fields] });
  if (!record) throw new OdooProtocolError(`account.move ${moveId} vanished after posting`, { model: MOVE, method: 'read' });
  return record;
}
