import type { OdooEnvironment } from '../orm/environment';
import { field } from '../orm/fields';
import type { ModelDefinition } from '../orm/model';
import type { StoredRecord } from '../store';
import { defaultSaleTaxIds } from './tax';

/**
 * `product.product`, standing alone: the sandbox does not split products into templates and variants.
 * Created without `taxes_id`, a product gets the company's default sale tax, as recorded.
 */
export const productModel: ModelDefinition = {
  name: 'product.product',
  description: 'Product Variant',
  order: 'default_code, name, id',
  mailThread: true,
  fields: {
    name: field.char('Name', { required: true }),
    default_code: field.char('Internal Reference'),
    barcode: field.char('Barcode'),
    type: field.selection('Product Type', [['consu', 'Goods'], ['service', 'Service'], ['combo', 'Combo']], { default: 'consu' }),
    list_price: field.float('Sales Price', { default: 1 }),
    standard_price: field.float('Cost'),
    taxes_id: field.many2many('Sales Taxes', 'account.tax', { default: defaultSaleTaxIds }),
    supplier_taxes_id: field.many2many('Purchase Taxes', 'account.tax'),
    sale_ok: field.boolean('Can be Sold', { default: true }),
    purchase_ok: field.boolean('Can be Purchased', { default: true }),
    invoice_policy: field.selection('Invoicing Policy', [['order', 'Ordered quantities'], ['delivery', 'Delivered quantities']], { default: 'order' }),
    description_sale: field.text('Sales Description'),
    active: field.boolean('Active', { default: true }),
  },
  displayName: (_env, record) => (typeof record.default_code === 'string' ? `[${record.default_code}] ${String(record.name)}` : String(record.name)),
};

/**
 * What a document line takes from its product when the caller leaves it out: label, unit price and
 * taxes (the product's, or the company default when there is no product).
 */
export function lineDefaultsFromProduct(env: OdooEnvironment, productId: unknown, taxField: string, values: Record<string, unknown>): Record<string, unknown> {
  const product: StoredRecord | undefined = typeof productId === 'number' ? env.model('product.product').get(env, productId) : undefined;
  const defaults: Record<string, unknown> = {};
  if (!(taxField in values)) defaults[taxField] = product === undefined ? defaultSaleTaxIds(env) : (product.taxes_id ?? []);
  if (product !== undefined && !('price_unit' in values)) defaults.price_unit = product.list_price ?? 0;
  if (product !== undefined && !('name' in values)) {
    defaults.name = typeof product.description_sale === 'string' ? product.description_sale : env.model('product.product').displayNameOf(env, product.id);
  }
  return { ...defaults, ...values };
}
