import type { LedgerCurrency, LedgerPrecisions } from './billing-ledger';
import type { ContractLineChange, ContractLineValues, ContractState, ExistingContractLine } from './subscription-ledger';

/**
 * The Odoo side of CRM deals: a deal is a `sale.order` (a quotation until the deal is won) bound to the
 * external id `saas_sync.<system>_deal_<id>`, its `client_order_ref` the deal id, one line per deal line.
 * Line values and changes are the contracts' (subscription-ledger.ts): same order model, same rules on
 * which lines Odoo lets a caller touch.
 */

export type DealOrderState = ContractState;
export type DealLineValues = ContractLineValues;
export type DealLineChange = ContractLineChange;

export interface DealOrder {
  id: number;
  /** `S00012`. */
  name: string | null;
  state: DealOrderState;
  partnerId: number | undefined;
  /** ISO code of the order's currency (its pricelist's), upper case. */
  currencyCode: string | undefined;
  lines: ExistingContractLine[];
  /** Odoo floats at the currency's decimals (the deal.won event turns them into minor units). */
  amountUntaxed: number;
  amountTotal: number;
  /** `date_order`: Odoo sets it to the confirmation time on `action_confirm`. ISO 8601, UTC. */
  orderDate: string | null;
}

export interface QuotationDraft {
  /** The CRM deal id: `client_order_ref`, what a salesperson searches the order by. */
  reference: string;
  partnerId: number;
  companyId: number;
  currency: LedgerCurrency;
}

/** Whom and in which currency a quotation is made out: written together (Odoo derives the pricelist from the partner). */
export type QuotationTarget = Pick<QuotationDraft, 'partnerId' | 'companyId' | 'currency'>;

/** An Odoo product a deal line can be sold as: by Internal Reference (`default_code`) or by database id. */
export type OdooProductRef = { defaultCode: string } | { productId: number };

export interface DealLedger {
  currency(code: string): Promise<LedgerCurrency | undefined>;
  precisions(): Promise<LedgerPrecisions>;
  /**
   * The sellable products among the references, in one lookup: default codes → product id (a code two products
   * share is left out: ambiguous), and the product ids that exist.
   */
  products(refs: readonly OdooProductRef[]): Promise<{ byCode: Map<string, number>; ids: Set<number> }>;
  /** The deal's order by its external id (crash recovery and a lost identity map: never create twice). */
  findOrder(externalId: string): Promise<DealOrder | undefined>;
  /** The order with its lines; undefined when it was deleted. */
  readOrder(id: number): Promise<DealOrder | undefined>;
  /** An empty quotation bound to the external id in the same transaction; returns its id. Lines follow with `amendQuotation`. */
  createQuotation(externalId: string, draft: QuotationDraft): Promise<number>;
  /**
   * Applies line changes, and a new customer or currency when the deal's changed (`retarget`), in one write
   * (nothing when there is neither).
   */
  amendQuotation(id: number, changes: readonly DealLineChange[], retarget?: QuotationTarget): Promise<void>;
  /** Quotation → confirmed sale order. */
  confirmOrder(id: number): Promise<void>;
  /** Cancels a quotation without a wizard or an email to the customer. */
  cancelOrder(id: number): Promise<void>;
  /** Cancelled → quotation again (a lost deal reopened in the CRM). */
  reopenOrder(id: number): Promise<void>;
  /** A note in the order's chatter (internal, no follower is emailed). */
  note(id: number, body: string): Promise<void>;
}
