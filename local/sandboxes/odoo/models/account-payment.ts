import { UserError } from '../odoo-errors';
import type { OdooEnvironment } from '../orm/environment';
import { field } from '../orm/fields';
import type { ModelDefinition } from '../orm/model';
import type { StoredRecord } from '../store';
import { isInvoice } from './account-move';
import { MAIN_COMPANY_ID } from './company';
import { defaultJournalOfType } from './journal';

const PAYMENT_STATES = [['draft', 'Draft'], ['in_process', 'In Process'], ['paid', 'Paid'], ['canceled', 'Canceled'], ['rejected', 'Rejected']] as const;

export const accountPaymentModel: ModelDefinition = {
  name: 'account.payment',
  description: 'Payments',
  order: 'date desc, name desc',
  mailThread: true,
  fields: {
    name: field.char('Number'),
    amount: field.monetary('Amount'),
    state: field.selection('Status', PAYMENT_STATES, { default: 'draft' }),
    memo: field.char('Memo'),
    payment_type: field.selection('Payment Type', [['outbound', 'Send'], ['inbound', 'Receive']], { default: 'inbound' }),
    partner_type: field.selection('Partner Type', [['customer', 'Customer'], ['supplier', 'Vendor']], { default: 'customer' }),
    partner_id: field.many2one('Customer/Vendor', 'res.partner'),
    date: field.date('Date', { default: (env: OdooEnvironment) => env.today() }),
    journal_id: field.many2one('Journal', 'account.journal'),
    currency_id: field.many2one('Currency', 'res.currency'),
    company_id: field.many2one('Company', 'res.company', { default: MAIN_COMPANY_ID }),
    reconciled_invoice_ids: field.many2many('Reconciled Invoices', 'account.move'),
    move_id: field.many2one('Journal Entry', 'account.move'),
  },
  methods: {
    // Confirms a payment made by hand (not through the wizard): with no bank statement to match it, it waits
    // `in_process` (recorded: account.payment.customer_credit, both versions). 19.0 leaves a payment already
    // further along as it is; 18.0 sets the state whatever it was.
    action_post: {
      definedOn: 'AccountPayment',
      onRecords: true,
      parameters: [],
      run: ({ env, model, ids }) => {
        for (const payment of ids.map((id) => model.get(env, id))) {
          if (env.version === '18.0' || payment.state === 'draft' || payment.state === 'in_process') {
            env.store.update('account.payment', payment.id, { state: 'in_process', write_date: env.now() });
          }
        }
        return undefined;
      },
    },
    // Back to draft: its journal entry (19.0) goes back to draft too, which undoes its reconciliation, so the
    // payment no longer counts against the documents it paid (only `paid` payments do: paymentsOfInvoice).
    action_draft: {
      definedOn: 'AccountPayment',
      onRecords: true,
      parameters: [],
      run: ({ env, model, ids }) => {
        for (const payment of ids.map((id) => model.get(env, id))) {
          env.store.update('account.payment', payment.id, {
            state: 'draft',
            // 18.0 keeps the link to the invoices it was registered on (no reconciliation to undo); 19.0
            // computes it from the reconciliation of the entry, gone with the entry's return to draft.
            ...(typeof payment.move_id === 'number' ? { reconciled_invoice_ids: [] } : {}),
            write_date: env.now(),
          });
          if (typeof payment.move_id === 'number') env.store.update('account.move', payment.move_id, { state: 'draft', write_date: env.now() });
        }
        return undefined;
      },
    },
    // Cancelled: a draft journal entry is deleted, a posted one cancelled (Odoo's action_cancel); the payment
    // counts against nothing any more. A refund whose payment failed is undone so: action_draft, action_cancel.
    action_cancel: {
      definedOn: 'AccountPayment',
      onRecords: true,
      parameters: [],
      run: ({ env, model, ids }) => {
        for (const payment of ids.map((id) => model.get(env, id))) {
          env.store.update('account.payment', payment.id, { state: 'canceled', write_date: env.now() });
          if (typeof payment.move_id !== 'number') continue;
          const entry = env.model('account.move').get(env, payment.move_id);
          if (entry.state === 'draft') {
            env.store.update('account.payment', payment.id, { move_id: false });
            env.model('account.move').unlink(env, [entry.id]);
          } else {
            env.store.update('account.move', entry.id, { state: 'cancel', write_date: env.now() });
          }
        }
        return undefined;
      },
    },
  },
};

/** The ids a many2many value names: a list of ids or `[[6, 0, ids]]`. */
function idsOfMany2many(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  const [command] = value as unknown[];
  if (Array.isArray(command) && command[0] === 6 && Array.isArray(command[2])) return (command[2] as unknown[]).map(Number);
  return value.every((id) => Number.isInteger(id)) ? (value as number[]) : [];
}

/**
 * Invoices the wizard pays, checked as Odoo's `default_get` does: those of the journal items named in its
 * `line_ids`, else those in its context (`active_model`/`active_ids`).
 */
function invoicesToPay(env: OdooEnvironment, lineIds: readonly number[]): StoredRecord[] {
  const activeIds = lineIds.length > 0 ? [...new Set(lineIds.map((id) => Number(env.model('account.move.line').get(env, id).move_id)))] : env.context.active_ids;
  if (lineIds.length === 0 && (env.context.active_model !== 'account.move' || !Array.isArray(activeIds) || activeIds.length === 0)) {
    throw new UserError('The register payment wizard should only be called on account.move or account.move.line records.');
  }
  const invoices = (activeIds as unknown[]).map((id) => env.model('account.move').get(env, Number(id)));
  if (invoices.some((invoice) => invoice.state !== 'posted')) throw new UserError('You can only register payment for posted journal entries.');
  if (invoices.some((invoice) => !isInvoice(invoice))) throw new UserError('You can only register payments for invoices, credit notes and receipts.');
  return invoices;
}

function residualOf(env: OdooEnvironment, invoice: StoredRecord): number {
  return Number(env.model('account.move').valueOf(env, invoice, 'amount_residual'));
}

/**
 * `account.payment.register`: the payment wizard on invoices, named by their receivable journal items (`line_ids`)
 * or by the context. Odoo keeps the items; the sandbox keeps the invoices they belong to.
 */
export const paymentRegisterModel: ModelDefinition = {
  name: 'account.payment.register',
  description: 'Pay',
  fields: {
    amount: field.monetary('Amount'),
    payment_date: field.date('Payment Date', { default: (env: OdooEnvironment) => env.today() }),
    communication: field.char('Memo'),
    journal_id: field.many2one('Journal', 'account.journal'),
    currency_id: field.many2one('Currency', 'res.currency'),
    partner_id: field.many2one('Customer/Vendor', 'res.partner'),
    payment_type: field.selection('Payment Type', [['outbound', 'Send'], ['inbound', 'Receive']]),
    partner_type: field.selection('Partner Type', [['customer', 'Customer'], ['supplier', 'Vendor']]),
    invoice_ids: field.many2many('Invoices', 'account.move'),
    line_ids: field.many2many('Journal items', 'account.move.line'),
  },
  prepareCreate: (env, values) => {
    const invoices = invoicesToPay(env, idsOfMany2many(values.line_ids));
    const residual = invoices.reduce((sum, invoice) => sum + residualOf(env, invoice), 0);
    if (residual === 0) throw new UserError(env.differences.nothingLeftToPayMessage);
    const [first] = invoices as [StoredRecord];
    const receives = first.move_type === 'out_invoice' || first.move_type === 'in_refund' || first.move_type === 'out_receipt';
    return {
      amount: residual,
      communication: invoices.length === 1 ? (first.payment_reference || first.ref || first.name) : false,
      journal_id: defaultJournalOfType(env, 'bank').id,
      currency_id: first.currency_id,
      partner_id: first.partner_id,
      payment_type: receives ? 'inbound' : 'outbound',
      partner_type: String(first.move_type).startsWith('out_') ? 'customer' : 'supplier',
      ...values,
      invoice_ids: invoices.map((invoice) => invoice.id),
    };
  },
  methods: {
    action_create_payments: {
      definedOn: 'AccountPaymentRegister',
      onRecords: true,
      parameters: [],
      run: ({ env, model, ids }) => {
        const paymentIds = ids.flatMap((id) => createPayments(env, model.get(env, id)));
        const action = { name: 'Payments', type: 'ir.actions.act_window', res_model: 'account.payment', context: { create: false } };
        if (paymentIds.length === 1) return { ...action, view_mode: 'form', res_id: paymentIds[0] };
        return { ...action, view_mode: 'list,form', domain: [['id', 'in', paymentIds]] };
      },
    },
  },
};

/**
 * One payment per invoice: for a single invoice the wizard's amount (a partial payment when lower than
 * the residual), for several each invoice's residual. From 19.0 each payment gets its journal entry.
 */
function createPayments(env: OdooEnvironment, wizard: StoredRecord): number[] {
  const invoiceIds = wizard.invoice_ids as number[];
  return invoiceIds.map((invoiceId) => {
    const invoice = env.model('account.move').get(env, invoiceId);
    const amount = invoiceIds.length === 1 ? Number(wizard.amount) : residualOf(env, invoice);
    const journal = env.model('account.journal').get(env, Number(wizard.journal_id));
    const date = String(wizard.payment_date);
    const name = nextPaymentName(env, journal, date);
    const [paymentId] = env.model('account.payment').create(env, [
      {
        name,
        amount,
        state: 'paid',
        memo: wizard.communication,
        payment_type: wizard.payment_type,
        partner_type: wizard.partner_type,
        partner_id: wizard.partner_id,
        date,
        journal_id: journal.id,
        currency_id: wizard.currency_id,
        reconciled_invoice_ids: [invoiceId],
      },
    ]) as [number];
    if (env.differences.paymentsReconcileInvoices) {
      const [entryId] = env.model('account.move').create(env, [
        {
          move_type: 'entry',
          state: 'posted',
          name,
          date,
          journal_id: journal.id,
          partner_id: wizard.partner_id,
          currency_id: wizard.currency_id,
          payment_id: paymentId,
        },
      ]) as [number];
      env.store.update('account.payment', paymentId, { move_id: entryId });
    }
    return paymentId;
  });
}

function nextPaymentName(env: OdooEnvironment, journal: StoredRecord, date: string): string {
  if (env.differences.paymentNaming === 'global-sequence') {
    return `PAY${String(env.store.nextSequenceNumber('PAY')).padStart(5, '0')}`;
  }
  const prefix = `P${String(journal.code)}/${date.slice(0, 4)}`;
  return `${prefix}/${String(env.store.nextSequenceNumber(prefix)).padStart(5, '0')}`;
}
