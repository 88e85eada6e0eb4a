import { describe, expect, it } from 'vitest';
import type { DealLine } from '../../../events/crm-parts';
import {
  accountKey,
  dealExternalId,
  dealOrderSteps,
  deletionStep,
  IncompleteDealError,
  planDealLines,
  productRefOf,
  targetOrderState,
  UnmappedDealLineError,
} from '../../../functions/domain/deal-quotation';
import { InexactAmountError } from '../../../functions/domain/odoo-document-lines';

const line = (overrides: Partial<DealLine> = {}): DealLine => ({
  id: 'L1',
  name: 'Analytics seat',
  sku: 'SEAT',
  productId: 'crm-1',
  quantity: '10',
  unitAmount: 15000,
  amount: 150000,
  ...overrides,
});
const EUR = { currencyDecimals: 2, priceDigits: 2, quantityDigits: 2 };
const plan = (lines: DealLine[], precision = EUR, currency = 'eur') =>
  planDealLines({ id: 'D1', lines }, { currency, precision, providerExponent: precision.currencyDecimals, productOf: () => 7 });

describe('deal → order state', () => {
  it('reads the outcome from the CRM flags: won confirms, lost cancels, open stays a quotation', () => {
    expect(targetOrderState({ isClosedWon: true, isClosedLost: false })).toBe('confirmed');
    expect(targetOrderState({ isClosedWon: false, isClosedLost: true })).toBe('cancelled');
    expect(targetOrderState({ isClosedWon: false, isClosedLost: false })).toBe('quotation');
  });

  it('amends then confirms a quotation when won, cancels it when lost without touching lines', () => {
    expect(dealOrderSteps('quotation', 'confirmed')).toMatchObject({ amendLines: true, confirm: true, cancel: false });
    expect(dealOrderSteps('quotation', 'cancelled')).toMatchObject({ amendLines: false, cancel: true, confirm: false });
  });

  it('reopens a cancelled quotation when the deal is open again, and leaves it cancelled while lost', () => {
    expect(dealOrderSteps('cancelled', 'quotation')).toMatchObject({ reopen: true, amendLines: true, confirm: false });
    expect(dealOrderSteps('cancelled', 'cancelled')).toMatchObject({ reopen: false, amendLines: false, cancel: false });
  });

  it('never rewrites nor cancels a confirmed order: line changes are compared, a loss is flagged', () => {
    expect(dealOrderSteps('confirmed', 'quotation')).toMatchObject({ amendLines: false, compareConfirmedLines: true, cancel: false });
    expect(dealOrderSteps('confirmed', 'confirmed')).toMatchObject({ amendLines: false, confirm: false, compareConfirmedLines: true });
    expect(dealOrderSteps('confirmed', 'cancelled')).toMatchObject({ cancel: false, flagConfirmedLoss: true });
  });

  it('cancels a deleted deal’s quotation and only flags a confirmed order', () => {
    expect(deletionStep('quotation')).toBe('cancel');
    expect(deletionStep('confirmed')).toBe('flag');
    expect(deletionStep('cancelled')).toBe('none');
  });
});

describe('deal keys', () => {
  it('binds the order to an external id of the deal and finds the partner by the primary account', () => {
    expect(dealExternalId({ system: 'salesforce', id: '006-AB.1' })).toBe('saas_sync.salesforce_deal_006_AB_1');
    expect(accountKey({ system: 'hubspot', id: '9', primaryAccountId: '7', accountIds: ['5', '7'] })).toBe('hubspot:account:7');
    expect(accountKey({ system: 'hubspot', id: '9', primaryAccountId: null, accountIds: ['5'] })).toBe('hubspot:account:5');
    expect(() => accountKey({ system: 'hubspot', id: '9', primaryAccountId: null, accountIds: [] })).toThrow(IncompleteDealError);
  });
});

describe('deal line → Odoo product', () => {
  it('takes the configured mapping of the CRM product first, then the SKU as Internal Reference', () => {
    const config = { products: { 'hubspot:crm-1': 'ODOO-SEAT', 'hubspot:crm-2': 42 } };
    expect(productRefOf(line(), 'hubspot', config)).toEqual({ defaultCode: 'ODOO-SEAT' });
    expect(productRefOf(line({ productId: 'crm-2' }), 'hubspot', config)).toEqual({ productId: 42 });
    expect(productRefOf(line({ productId: 'crm-9' }), 'hubspot', config)).toEqual({ defaultCode: 'SEAT' });
    expect(productRefOf(line(), 'salesforce', config)).toEqual({ defaultCode: 'SEAT' });
    expect(productRefOf(line({ productId: null, sku: '  ' }), 'hubspot', config)).toBeUndefined();
  });
});

describe('deal lines → Odoo lines', () => {
  it('writes the exact quantity and unit price in the deal currency', () => {
    expect(plan([line(), line({ id: 'L2', name: 'Hours', quantity: '2.5', unitAmount: 12000, amount: 30000 })])).toEqual([
      { productId: 7, name: 'Analytics seat', quantity: 10, priceUnit: 150 },
      { productId: 7, name: 'Hours', quantity: 2.5, priceUnit: 120 },
    ]);
  });

  it('refuses, naming the line, a quantity Odoo cannot hold exactly', () => {
    expect(() => plan([line({ quantity: '1.125', amount: null })])).toThrow(InexactAmountError);
    expect(() => plan([line({ quantity: '1.125', amount: null })])).toThrow(/line L1 “Analytics seat”.*1\.125/);
  });

  it('nets a CRM discount into the price and says the list price', () => {
    const [planned] = plan([line({ quantity: '10', unitAmount: 15000, amount: 135000 })]);
    expect(planned).toEqual({ productId: 7, name: 'Analytics seat (10 × 150.00 EUR list price, 1350.00 EUR net)', quantity: 10, priceUnit: 135 });
  });

  it('carries a 3-decimal price Odoo’s 2-digit prices cannot hold as one exact amount', () => {
    const kwd = { currencyDecimals: 3, priceDigits: 2, quantityDigits: 2 };
    const [planned] = plan([line({ quantity: '3', unitAmount: 1234, amount: 3702 })], kwd, 'kwd');
    expect(planned!.quantity * planned!.priceUnit).toBeCloseTo(3.702, 6);
    expect(planned!.name).toContain('3 × 1.234 KWD');
  });

  it('refuses the whole deal when any line maps to no product, naming every such line', () => {
    const run = () =>
      planDealLines(
        { id: 'D1', lines: [line(), line({ id: 'L2', name: 'Mystery', sku: 'NOPE', productId: null })] },
        { currency: 'eur', precision: EUR, providerExponent: 2, productOf: (candidate) => (candidate.id === 'L1' ? 7 : undefined) },
      );
    expect(run).toThrow(UnmappedDealLineError);
    expect(run).toThrow(/line L2 “Mystery” \(SKU NOPE, CRM product none\)/);
  });
});
