import { ValidationError } from '../odoo-errors';
import type { OdooEnvironment } from '../orm/environment';
import { field, isEmptyValue } from '../orm/fields';
import type { ModelDefinition } from '../orm/model';
import type { StoredRecord } from '../store';

/** "Parent, Child" for a contact of a company, the name alone otherwise (Odoo's `complete_name`). */
function completeName(env: OdooEnvironment, record: StoredRecord): string {
  const name = typeof record.name === 'string' ? record.name : '';
  const parentId = record.parent_id;
  if (typeof parentId !== 'number') return name;
  const parent = env.store.find('res.partner', parentId);
  return parent === undefined ? name : `${String(parent.name)}, ${name}`;
}

export const partnerModel: ModelDefinition = {
  name: 'res.partner',
  description: 'Contact',
  order: 'complete_name ASC, id DESC',
  mailThread: true,
  fields: {
    name: field.char('Name'),
    complete_name: field.char('Complete Name', { compute: completeName }),
    is_company: field.boolean('Is a Company'),
    company_type: field.selection('Company Type', [['person', 'Individual'], ['company', 'Company']], {
      compute: (_env, record) => (record.is_company === true ? 'company' : 'person'),
    }),
    type: field.selection(
      'Address Type',
      [['contact', 'Contact'], ['invoice', 'Invoice Address'], ['delivery', 'Delivery Address'], ['other', 'Other Address']],
      { default: 'contact' },
    ),
    parent_id: field.many2one('Related Company', 'res.partner'),
    ref: field.char('Reference'),
    vat: field.char('Tax ID'),
    email: field.char('Email'),
    phone: field.char('Phone'),
    mobile: field.char('Mobile'),
    website: field.char('Website Link'),
    function: field.char('Job Position'),
    street: field.char('Street'),
    street2: field.char('Street2'),
    zip: field.char('Zip'),
    city: field.char('City'),
    country_id: field.many2one('Country', 'res.country'),
    lang: field.char('Language', { default: 'en_US' }),
    comment: field.html('Notes'),
    category_id: field.many2many('Tags', 'res.partner.category'),
    customer_rank: field.integer('Customer Rank'),
    supplier_rank: field.integer('Supplier Rank'),
    company_id: field.many2one('Company', 'res.company'),
    active: field.boolean('Active', { default: true }),
  },
  displayName: completeName,
  prepareCreate: (_env, values) => {
    // res.partner's SQL constraint `check_name`: a contact needs a name (addresses do not).
    if (isEmptyValue(values.name) && (values.type ?? 'contact') === 'contact') {
      throw new ValidationError('The operation cannot be completed: Contacts require a name');
    }
    return values;
  },
};

export const partnerCategoryModel: ModelDefinition = {
  name: 'res.partner.category',
  description: 'Partner Tags',
  order: 'name',
  fields: {
    name: field.char('Tag Name', { required: true }),
    color: field.integer('Color'),
    parent_id: field.many2one('Parent Category', 'res.partner.category'),
    active: field.boolean('Active', { default: true }),
  },
};

/** Odoo's `_increase_rank`: posting an invoice makes its partner a customer (`customer_rank` + 1). */
export function increaseCustomerRank(env: OdooEnvironment, partnerId: number): void {
  const partner = env.model('res.partner').get(env, partnerId);
  env.store.update('res.partner', partnerId, { customer_rank: Number(partner.customer_rank ?? 0) + 1 });
}
