import type { OdooEnvironment } from '../orm/environment';
import { field } from '../orm/fields';
import type { ModelDefinition } from '../orm/model';
import type { StoredRecord } from '../store';
import { MAIN_COMPANY_ID } from './company';

export const journalModel: ModelDefinition = {
  name: 'account.journal',
  description: 'Journal',
  order: 'sequence, type, code',
  fields: {
    name: field.char('Journal Name', { required: true }),
    code: field.char('Short Code', { required: true }),
    type: field.selection(
      'Type',
      [['sale', 'Sales'], ['purchase', 'Purchase'], ['cash', 'Cash'], ['bank', 'Bank'], ['credit', 'Credit Card'], ['general', 'Miscellaneous']],
      { required: true },
    ),
    currency_id: field.many2one('Currency', 'res.currency'),
    company_id: field.many2one('Company', 'res.company', { default: MAIN_COMPANY_ID }),
    sequence: field.integer('Sequence', { default: 10 }),
    active: field.boolean('Active', { default: true }),
  },
};

/** The first active journal of a type (`sale` for invoices, `bank` for payments), as Odoo picks its default. */
export function defaultJournalOfType(env: OdooEnvironment, type: string): StoredRecord {
  const journals = env.model('account.journal');
  const [journalId] = journals.search(env, [['type', '=', type]], { limit: 1 });
  if (journalId === undefined) throw new Error(`the sandbox seed has no ${type} journal`);
  return journals.get(env, journalId);
}
