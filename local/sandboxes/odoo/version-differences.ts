import type { OdooVersion } from './server-version';

/**
 * Every behaviour that differs between the Odoo versions the sandbox impersonates, in one place, each
 * as recorded in `shared/odoo-contract/` (the README's 18.0 vs 19.0 table). Transport differences
 * (JSON-RPC vs JSON-2) are not here: they live in the transports.
 */
export interface VersionDifferences {
  /** The name of a draft journal entry: `/` in 18.0, `false` from 19.0 (`account.move.read.draft`). */
  draftMoveName: string | false;
  /** The `UserError` when posting an invoice without lines (`account.move.action_post.no_lines`). */
  postWithoutLinesMessage: string;
  /**
   * 19.0 reconciles a registered payment with the invoice (residual goes down, `partial` then `paid`).
   * The recorded 18.0 build leaves payments unreconciled: no journal entry, residual unchanged, yet the
   * invoice reads `paid` as soon as one payment is matched (`account.move.read.partial`).
   */
  paymentsReconcileInvoices: boolean;
  /** 18.0 names payments `PAY00011`; 19.0 `PBNK1/2026/00001` (bank journal code and year). */
  paymentNaming: 'global-sequence' | 'journal-and-year';
  /** The taxes field of `sale.order.line`: `tax_id` in 18.0, `tax_ids` from 19.0. */
  saleOrderLineTaxField: 'tax_id' | 'tax_ids';
  /** 18.0's `sale.order.action_cancel` opens the cancel wizard for a confirmed order; 19.0 cancels. */
  saleOrderCancelOpensWizard: boolean;
  /** 18.0's `message_post` is `@api.returns`: JSON-RPC gets the message id, not a list. */
  messagePostReturnsSingleId: boolean;
  /**
   * The `UserError` of the payment wizard on documents with nothing left to pay (recorded:
   * test/contract/odoo/real-odoo-cases/recorded/<version>/credit_note.offset_against_open_invoice.json).
   */
  nothingLeftToPayMessage: string;
  /**
   * The `ValidationError` of a create/write leaving a required field empty (PostgreSQL's NOT NULL, reworded by
   * Odoo; recorded: account.move.reversal.create.no_journal). `model` is the `_description`.
   */
  missingRequiredFieldMessage(model: { name: string; description: string }, field: { name: string; string: string }): string;
}

const DIFFERENCES: Record<OdooVersion, VersionDifferences> = {
  '18.0': {
    draftMoveName: '/',
    postWithoutLinesMessage: 'You need to add a line before posting.',
    paymentsReconcileInvoices: false,
    paymentNaming: 'global-sequence',
    saleOrderLineTaxField: 'tax_id',
    saleOrderCancelOpensWizard: true,
    messagePostReturnsSingleId: true,
    nothingLeftToPayMessage: "You can't register a payment because there is nothing left to pay on the selected journal items.",
    missingRequiredFieldMessage: (model, field) =>
      'The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n' +
      '- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n' +
      `Model: ${model.description} (${model.name})\nField: ${field.string} (${field.name})\n`,
  },
  '19.0': {
    draftMoveName: false,
    postWithoutLinesMessage: "Even magicians can't post nothing!",
    paymentsReconcileInvoices: true,
    paymentNaming: 'journal-and-year',
    saleOrderLineTaxField: 'tax_ids',
    saleOrderCancelOpensWizard: false,
    messagePostReturnsSingleId: false,
    nothingLeftToPayMessage:
      "There's nothing left to pay for the selected journal items, so no payment registration is necessary. You've got your finances under control like a boss!",
    missingRequiredFieldMessage: (model, field) =>
      `The operation cannot be completed: Missing required value for the field '${field.string}' (${field.name}).\n` +
      `Model: '${model.description}' (${model.name})\n` +
      '- create/update: a mandatory field is not set\n- delete: another model requires the record being deleted, you can archive it instead\n',
  },
};

export function versionDifferences(version: OdooVersion): VersionDifferences {
  return DIFFERENCES[version];
}
