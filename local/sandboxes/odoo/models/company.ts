import type { OdooEnvironment } from '../orm/environment';
import { field } from '../orm/fields';
import type { ModelDefinition } from '../orm/model';
import type { StoredRecord } from '../store';

/** The sandbox serves one company, like the recorded databases. */
export const MAIN_COMPANY_ID = 1;

export const companyModel: ModelDefinition = {
  name: 'res.company',
  description: 'Companies',
  order: 'sequence, name',
  fields: {
    name: field.char('Company Name', { required: true }),
    sequence: field.integer('Sequence', { default: 10 }),
    partner_id: field.many2one('Partner', 'res.partner'),
    currency_id: field.many2one('Currency', 'res.currency', { required: true }),
    country_id: field.many2one('Country', 'res.country'),
    email: field.char('Email'),
    vat: field.char('Tax ID'),
    account_sale_tax_id: field.many2one('Default Sale Tax', 'account.tax'),
    active: field.boolean('Active', { default: true }),
  },
};

export const countryModel: ModelDefinition = {
  name: 'res.country',
  description: 'Country',
  order: 'name',
  fields: {
    name: field.char('Country Name', { required: true }),
    code: field.char('Country Code'),
  },
};

export function companyOf(env: OdooEnvironment): StoredRecord {
  return env.model('res.company').get(env, MAIN_COMPANY_ID);
}
