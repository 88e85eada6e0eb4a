import type { OdooCaller, OdooDomain, OdooValues, OdooWindowAction } from './odoo-caller';
import { isSequenceNumberTaken, OdooProtocolError, OdooUserError } from './odoo-errors';

/**
 * Invoices, payments, credit notes. Amounts here are Odoo amounts (see odoo-money.ts to convert
 * from minor units). None of these is idempotent by itself: a flow checks the identity map or the
 * provider reference (`ref`, `communication`) before calling, and the client does not repeat them
 * after an ambiguous failure (timeout, reset).
 */

const MOVE = 'account.move';

/**
 * `action_post` of a customer document, 1 call. Odoo names the first documents of an empty journal when they are
 * created, drafts included: two drafted at once both carry the starting number (`INV/2026/00001`), and once one
 * is posted the other can never be, because a draft keeps its name when posted ("Another entry with the same name
 * already exists" on every retry — seen on a real Odoo 18 under a concurrent burst). Such a draft gives its name
 * back (`/`) and is posted again, so Odoo draws the next number: +2 calls, only then.
 */
export async function postMove(odoo: OdooCaller, moveId: number): Promise<void> {
  try {
    await odoo.call(MOVE, 'action_post', { ids: [moveId] });
  } catch (error) {
    if (!isSequenceNumberTaken(error)) throw error;
    await odoo.call(MOVE, 'write', { ids: [moveId], vals: { name: '/' } });
    await odoo.call(MOVE, 'action_post', { ids: [moveId] });
  }
}

/**
 * Lines created without explicit taxes get the company's default sale tax, and the Odoo total stops
 * matching the provider's. Refuse such lines before any call.
 */
function assertExplicitTaxes(vals: OdooValues): void {
  const lines = vals.invoice_line_ids;
  if (!Array.isArray(lines)) return;
  for (const command of lines) {
    if (Array.isArray(command) && command[0] === 0) {
      const line = command[2] as Record<string, unknown> | undefined;
      if (!line || !('tax_ids' in line)) {
        throw new TypeError('every invoice line needs explicit tax_ids ([[6, 0, []]] for none): the default sale tax would change the total');
      }
    }
  }
}

export interface PostedInvoice {
  id: number;
  /** The sequence name (`INV/2026/00021`), assigned on posting. */
  name: string | null;
  state: string | null;
  /** Odoo amounts: compare with the provider's total (`odooAmountToMinor`) — they must be equal. */
  amountTotal: number | null;
  amountResidual: number | null;
  paymentState: string | null;
}

const POSTED_FIELDS = ['name', 'state', 'amount_total', 'amount_residual', 'payment_state'];

/**
 * Create a customer invoice and post it: 3 calls — `create` + `action_post` + `read` (the name is
 * assigned on posting and neither call returns it; the same read brings the totals, so the flow can
 * check them against the provider without another call). 2 calls with `readBack: false` (then only
 * `id` is set).
 * If posting fails (e.g. `UserError`: no lines) the draft stays; `ref` lets the next attempt find it.
 */
export async function createAndPostInvoice(odoo: OdooCaller, vals: OdooValues, options: { readBack?: boolean } = {}): Promise<PostedInvoice> {
  assertExplicitTaxes(vals);
  const [id] = await odoo.call<number[]>(MOVE, 'create', { vals_list: [vals] });
  if (typeof id !== 'number') throw new OdooProtocolError('create returned no invoice id', { model: MOVE, method: 'create' });
  await postMove(odoo, id);
  const empty: PostedInvoice = { id, name: null, state: null, amountTotal: null, amountResidual: null, paymentState: null };
  if (options.readBack === false) return empty;
  const [record] = await odoo.call<Array<Record<string, unknown>>>(MOVE, 'read', { ids: [id], fields: POSTED_FIELDS });
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const amount = (value: unknown): number | null => (typeof value === 'number' ? value : null);
  return {
    id,
    name: text(record?.name),
    state: text(record?.state),
    amountTotal: amount(record?.amount_total),
    amountResidual: amount(record?.amount_residual),
    paymentState: text(record?.payment_state),
  };
}

function activeMove(invoiceId: number): Record<string, unknown> {
  return { active_model: MOVE, active_ids: [invoiceId] };
}

function resIdOf(action: unknown, model: string, method: string): number {
  const resId = (action as OdooWindowAction | null)?.res_id;
  if (typeof resId !== 'number') throw new OdooProtocolError(`${method} returned no res_id: ${JSON.stringify(action)}`, { model, method });
  return resId;
}

export interface PaymentRequest {
  /** In the invoice currency, Odoo units (`minorToOdooAmount`). */
  amount: number;
  /** `YYYY-MM-DD`. */
  paymentDate: string;
  /** The provider charge/payment id: the payment's memo, how reconciliation finds it. */
  communication: string;
  /** Default: the wizard's (first bank journal). */
  journalId?: number;
}

/**
 * The invoice's receivable (or, for a vendor document, payable) journal items that are still open: what the payment
 * wizard pays. Odoo's `default_get` picks the same items from `active_ids`; naming them in the wizard's values instead
 * leaves every wizard with the same context, so the wizards of a consumer batch are created in one merged `create`.
 */
const OPEN_TERM_ITEMS = (moveId: number): OdooDomain => [
  ['move_id', '=', moveId],
  ['display_type', '=', 'payment_term'],
  ['reconciled', '=', false],
];

/**
 * Register a payment on a posted invoice through the `account.payment.register` wizard, 3 calls: `search_read` of
 * the invoice's open receivable items, `create` of the wizard on those items, `action_create_payments` (Odoo runs a
 * wizard alone). The search and the `create` carry nothing of one invoice but its ids, so concurrent registrations
 * merge them (call-coalescer.ts): about 1 call per payment in a batch. Returns the payment id.
 * An invoice with no open item refuses as Odoo's wizard does (a `UserError`: nothing left to pay).
 */
export async function registerPayment(odoo: OdooCaller, invoiceId: number, payment: PaymentRequest): Promise<{ paymentId: number }> {
  const model = 'account.payment.register';
  const items = await odoo.call<Array<{ id: number }>>('account.move.line', 'search_read', { domain: OPEN_TERM_ITEMS(invoiceId), fields: ['id'] });
  if (items.length === 0) {
    throw new OdooUserError(`account.move ${invoiceId}: there is nothing left to pay on its journal items`, { model, method: 'create' });
  }
  const vals: OdooValues = {
    line_ids: [[6, 0, items.map((item) => item.id)]],
    amount: payment.amount,
    payment_date: payment.paymentDate,
    communication: payment.communication,
  };
  if (payment.journalId !== undefined) vals.journal_id = payment.journalId;
  const [wizardId] = await odoo.call<number[]>(model, 'create', { vals_list: [vals] });
  if (typeof wizardId !== 'number') throw new OdooProtocolError('payment wizard create returned no id', { model, method: 'create' });
  const action = await odoo.call(model, 'action_create_payments', { ids: [wizardId] });
  return { paymentId: resIdOf(action, model, 'action_create_payments') };
}

export interface CreditNoteRequest {
  reason: string;
  /** `YYYY-MM-DD`. */
  date: string;
  /**
   * The credit note's journal. Named explicitly: Odoo 18 computes it from `move_ids` only in the web form, and a
   * wizard created over RPC without it fails "a mandatory field is not set ... Journal (journal_id)" (recorded:
   * test/contract/odoo/odoo-contract/18.0/account.move.reversal.create.no_journal.json).
   */
  journalId: number;
}

/**
 * Create a draft credit note reversing a posted invoice through the `account.move.reversal` wizard:
 * 2 calls (`create` + `refund_moves`, whose action names the new move in `res_id`).
 */
export async function createCreditNote(odoo: OdooCaller, invoiceId: number, request: CreditNoteRequest): Promise<{ creditNoteId: number }> {
  const model = 'account.move.reversal';
  const context = activeMove(invoiceId);
  const vals: OdooValues = { reason: request.reason, date: request.date, journal_id: request.journalId, move_ids: [[6, 0, [invoiceId]]] };
  const [wizardId] = await odoo.call<number[]>(model, 'create', { vals_list: [vals], context });
  if (typeof wizardId !== 'number') throw new OdooProtocolError('reversal wizard create returned no id', { model, method: 'create' });
  const action = await odoo.call(model, 'refund_moves', { ids: [wizardId], context });
  return { creditNoteId: resIdOf(action, model, 'refund_moves') };
}

/**
 * Cancel an invoice (a voided provider invoice): `button_draft` then `button_cancel`, 2 calls.
 * A posted invoice must go back to draft first; an invoice already in draft refuses `button_draft`
 * with a `UserError`, which is ignored so that the cancel still happens.
 */
export async function cancelInvoice(odoo: OdooCaller, invoiceId: number): Promise<void> {
  try {
    await odoo.call(MOVE, 'button_draft', { ids: [invoiceId] });
  } catch (error) {
    if (!(error instanceof OdooUserError)) throw error;
  }
  await odoo.call(MOVE, 'button_cancel', { ids: [invoiceId] });
}
