import type { BillingLedger, LedgerCurrency } from './billing-ledger';

/**
 * The Odoo side of subscriptions: a contract is a `sale.order` whose `client_order_ref` is the provider
 * subscription id, one line per subscription item. The shared lookups (currency, precisions, the product
 * of a provider price, the partner of an external id) are the billing ledger's, so that one container
 * caches them once for every billing flow.
 */

/** Where an order is in its life, as far as a contract cares (`draft`/`sent` → quotation, `sale` → confirmed). */
export type ContractState = 'quotation' | 'confirmed' | 'cancelled';

/** A line of an order as Odoo holds it. `quantity` and `priceUnit` are Odoo floats (exact at their precision). */
export interface ExistingContractLine {
  id: number;
  productId: number | undefined;
  name: string;
  quantity: number;
  priceUnit: number;
}

/** The values of a contract line: no taxes, ever (the adapter writes the version's tax field empty). */
export interface ContractLineValues {
  productId: number;
  name: string;
  quantity: number;
  priceUnit: number;
}

export interface ContractOrder {
  id: number;
  /** `S00012`. */
  name: string | null;
  state: ContractState;
  partnerId: number | undefined;
  lines: ExistingContractLine[];
}

export interface ContractDraft {
  /** The provider subscription id: `client_order_ref`, how a repeated create finds the order. */
  reference: string;
  partnerId: number;
  companyId: number;
  currency: LedgerCurrency;
  lines: ContractLineValues[];
}

/**
 * A change to an order's lines. `zero` is how a line leaves a confirmed order: Odoo refuses to delete
 * the line of a confirmed order ("Set the quantity to 0 instead"), so it stays with quantity 0 as the
 * amendment's trace. `remove` is only planned on quotations.
 */
export type ContractLineChange =
  | { op: 'create'; line: ContractLineValues }
  | { op: 'update'; lineId: number; line: ContractLineValues }
  | { op: 'zero'; lineId: number }
  | { op: 'remove'; lineId: number };

export interface SubscriptionLedger extends Pick<BillingLedger, 'currency' | 'precisions' | 'products' | 'partnerByExternalId'> {
  /** The order of a subscription found by `client_order_ref` for this partner (crash recovery: never create twice). */
  findOrder(reference: string, partnerId: number): Promise<ContractOrder | undefined>;
  /** The order with its lines; undefined when it was deleted. */
  readOrder(id: number): Promise<ContractOrder | undefined>;
  /** A quotation with its lines; returns its id. */
  createOrder(draft: ContractDraft): Promise<number>;
  /** Applies line changes in one write (nothing for an empty list). */
  amendOrder(id: number, changes: readonly ContractLineChange[]): Promise<void>;
  /** Quotation → confirmed sale order. */
  confirmOrder(id: number): Promise<void>;
  /** Cancels the order without asking (no cancel wizard, no email). */
  cancelOrder(id: number): Promise<void>;
  /** Cancelled → quotation again (a subscription that comes back). */
  reopenOrder(id: number): Promise<void>;
}
