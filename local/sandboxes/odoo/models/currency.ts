import type { OdooEnvironment } from '../orm/environment';
import { field } from '../orm/fields';
import type { ModelDefinition } from '../orm/model';
import { decimalPlacesOfRounding } from './money';
import { companyOf } from './company';

export const currencyModel: ModelDefinition = {
  name: 'res.currency',
  description: 'Currency',
  order: 'active desc, name, id',
  fields: {
    name: field.char('Currency', { required: true }),
    full_name: field.char('Name'),
    symbol: field.char('Symbol'),
    rounding: field.float('Rounding Factor', { default: 0.01 }),
    decimal_places: field.integer('Decimal Places', {
      compute: (_env, record) => decimalPlacesOfRounding(Number(record.rounding ?? 0.01)),
    }),
    position: field.selection('Symbol Position', [['after', 'After Amount'], ['before', 'Before Amount']], { default: 'after' }),
    active: field.boolean('Active', { default: true }),
  },
};

/** Decimal places of a currency, the company currency's when none is given. */
export function currencyDecimalPlaces(env: OdooEnvironment, currencyId: unknown): number {
  const id = typeof currencyId === 'number' ? currencyId : Number(companyOf(env).currency_id);
  return Number(env.model('res.currency').valueOf(env, env.model('res.currency').get(env, id), 'decimal_places'));
}
