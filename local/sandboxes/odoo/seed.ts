import type { OdooVersion } from './server-version';
import type { DatabaseState, StoredRecord } from './store';

/**
 * The database a fresh sandbox starts from: the one the fixtures were recorded against (`index.json`:
 * no demo data, company "My Company" in USD, a default 15% sale tax, uid 2 `admin`).
 *
 * Ids and sequence numbers start where the recorded database had them, so that replaying a folder of
 * fixtures yields the recorded ids (partner 557, invoice 21, `INV/2026/00021`...). Where the fixtures
 * show no id (an inactive currency other than EUR/JPY/KWD, the other journals), ids are our choice.
 */
/** A percent tax of the company, excluded from prices, as the recorded databases have them. */
function percentTax(id: number, name: string, amount: number, typeTaxUse: 'sale' | 'purchase'): StoredRecord {
  return { id, name, amount, amount_type: 'percent', type_tax_use: typeTaxUse, price_include_override: false, sequence: 1, company_id: 1, active: true };
}

function currency(id: number, name: string, rounding: number, symbol: string, active = false): StoredRecord {
  return { id, name, rounding, symbol, active, position: 'after' };
}

function journal(id: number, name: string, code: string, type: string, sequence: number): StoredRecord {
  return { id, name, code, type, sequence, currency_id: false, company_id: 1, active: true };
}

interface RecordedDatabase {
  euroCurrencyId: number;
  saleJournalName: string;
  /** Sale taxes beyond the default 15% one (19.0 also has "0% Exports"). */
  extraTaxes: StoredRecord[];
  /** Partners beyond the base ones: the 18.0 database already held one customer (`res.partner.search_count`). */
  extraPartners: StoredRecord[];
  nextIds: Record<string, number>;
  sequenceNumbers: Record<string, number>;
}

const RECORDED_DATABASES: Record<OdooVersion, RecordedDatabase> = {
  '18.0': {
    euroCurrencyId: 125,
    saleJournalName: 'Customer Invoices',
    extraTaxes: [],
    extraPartners: [{ id: 7, name: 'Existing Customer', is_company: true, customer_rank: 1, active: true, type: 'contact' }],
    nextIds: {
      'res.partner': 557,
      'ir.model.data': 31310,
      'product.product': 2,
      'account.move': 21,
      'account.payment': 11,
      'account.payment.register': 11,
      // The recorded server also wrote tracking messages; the sandbox writes none, so its counter
      // starts where the recorded one stood when the fixture posted its note.
      'mail.message': 647,
    },
    sequenceNumbers: { 'INV/2026': 20, PAY: 10 },
  },
  '19.0': {
    euroCurrencyId: 126,
    saleJournalName: 'Sales',
    extraTaxes: [percentTax(3, '0% Exports', 0, 'sale'), percentTax(4, '0% Imports', 0, 'purchase')],
    extraPartners: [],
    nextIds: { 'res.partner': 7, 'ir.model.data': 33816, 'mail.message': 107 },
    sequenceNumbers: {},
  },
};

const UNITED_STATES_ID = 233;

/** A journal the database holds beyond the recorded ones (a bank journal of its own for a payment provider's money). */
export interface ExtraJournal {
  id: number;
  name: string;
  code: string;
  type: 'bank' | 'cash' | 'sale' | 'general';
}

export interface SeedOptions {
  version: OdooVersion;
  login: string;
  /**
   * Journals beyond the recorded database's, with the ids the stage config names. Not in the recorded database
   * itself: the replayed fixtures list its journals as they were.
   */
  extraJournals?: readonly ExtraJournal[];
}

export function seedDatabase({ version, login, extraJournals = [] }: SeedOptions): DatabaseState {
  const recorded = RECORDED_DATABASES[version];
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const table = (records: StoredRecord[]): Record<string, StoredRecord> =>
    Object.fromEntries(records.map((record) => [String(record.id), { create_date: now, write_date: now, ...record }]));

  const tables: Record<string, Record<string, StoredRecord>> = {
    'res.company': table([
      { id: 1, name: 'My Company', partner_id: 1, currency_id: 1, country_id: UNITED_STATES_ID, account_sale_tax_id: 1, sequence: 10, active: true },
    ]),
    'res.country': table([{ id: UNITED_STATES_ID, name: 'United States', code: 'US' }]),
    'res.currency': table([
      { ...currency(1, 'USD', 0.01, '$', true), position: 'before' },
      currency(recorded.euroCurrencyId, 'EUR', 0.01, '€'),
      currency(25, 'JPY', 1, '¥'),
      currency(94, 'KWD', 0.001, 'KD'),
      // Not in the fixtures (ids ours): more currencies a Stripe account commonly settles in.
      currency(201, 'GBP', 0.01, '£'),
      currency(202, 'CAD', 0.01, '$'),
      currency(203, 'AUD', 0.01, '$'),
      currency(204, 'CHF', 0.01, 'CHF'),
      currency(205, 'KRW', 1, '₩'),
      currency(206, 'BHD', 0.001, 'BD'),
    ]),
    'res.partner': table([
      { id: 1, name: 'My Company', is_company: true, active: true, type: 'contact', country_id: UNITED_STATES_ID },
      { id: 2, name: 'OdooBot', active: false, type: 'contact' },
      { id: 3, name: 'Administrator', active: true, type: 'contact', email: 'admin@example.com' },
      { id: 4, name: 'Public user', active: false, type: 'contact' },
      { id: 5, name: 'Default User Template', active: false, type: 'contact' },
      { id: 6, name: 'Portal User Template', active: false, type: 'contact' },
      ...recorded.extraPartners,
    ]),
    'res.users': table([
      { id: 1, name: 'OdooBot', login: '__system__', partner_id: 2, company_id: 1, active: false },
      { id: 2, name: 'Administrator', login, partner_id: 3, company_id: 1, active: true },
    ]),
    'account.tax': table([
      percentTax(1, '15%', 15, 'sale'),
      percentTax(2, '15%', 15, 'purchase'),
      ...recorded.extraTaxes,
    ]),
    'account.journal': table([
      journal(1, recorded.saleJournalName, 'INV', 'sale', 5),
      journal(2, version === '18.0' ? 'Vendor Bills' : 'Purchases', 'BILL', 'purchase', 6),
      journal(3, 'Miscellaneous Operations', 'MISC', 'general', 9),
      journal(4, 'Exchange Difference', 'EXCH', 'general', 9),
      journal(5, 'Cash Basis Taxes', 'CABA', 'general', 10),
      journal(6, 'Bank', 'BNK1', 'bank', 10),
      journal(7, 'Cash', 'CSH1', 'cash', 10),
      ...extraJournals.map((extra) => {
        if (extra.id <= 7) throw new Error(`extra journal ${extra.name}: id ${extra.id} is a recorded journal's (1–7)`);
        return journal(extra.id, extra.name, extra.code, extra.type, 10);
      }),
    ]),
  };

  // Every table hands out ids after its highest seeded one, unless the recorded database was further on.
  const nextIds: Record<string, number> = {};
  for (const [model, records] of Object.entries(tables)) {
    nextIds[model] = Math.max(0, ...Object.values(records).map((record) => record.id)) + 1;
  }
  return {
    formatVersion: 1,
    odooVersion: version,
    nextIds: { ...nextIds, ...recorded.nextIds },
    sequenceNumbers: { ...recorded.sequenceNumbers },
    tables,
  };
}
