/**
 * What a customer still owes, as Odoo's books show it: its posted customer invoices with an amount due. An
 * offboarding reads it to tell finance what is left to collect once the customer has gone.
 */
export interface OpenInvoice {
  readonly id: number;
  /** Odoo's number (`INV/2026/00012`). */
  readonly name: string;
  /** The provider's invoice id (`ref`), when the integration posted it. */
  readonly ref: string | null;
  /** Exact minor units of the invoice's currency. */
  readonly amountDue: number;
  readonly currency: string;
  readonly decimalPlaces: number;
}

export interface OpenInvoiceReader {
  /** The partner's posted customer invoices with something left to pay, oldest first. */
  openInvoicesOf(partnerId: number): Promise<OpenInvoice[]>;
}
