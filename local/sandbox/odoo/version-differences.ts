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
  },
  '19.0': {
    draftMoveName: false,
    postWithoutLinesMessage: "Even magicians can't post nothing!",
    paymentsReconcileInvoices: true,
    paymentNaming: 'journal-and-year',
    saleOrderLineTaxField: 'tax_ids',
    saleOrderCancelOpensWizard: false,
    messagePostReturnsSingleId: false,
  },
};

export function versionDifferences(version: OdooVersion): VersionDifferences {
  return DIFFERENCES[version];
}
