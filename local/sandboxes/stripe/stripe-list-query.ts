import type { StripeObject } from './stripe-object-templates';

/**
 * Stripe's form-encoded query: `created[gte]=1`, `payment[type]=payment_intent`, `expand[]=x`
 * (or `expand[0]=x`). One level of nesting is all the read API uses.
 */
export type QueryValue = string | string[] | Record<string, string>;

export class StripeQueryError extends Error {
  constructor(
    message: string,
    readonly param: string,
    readonly status = 400,
    readonly code?: string,
  ) {
    super(message);
  }
}

export function parseStripeQuery(search: URLSearchParams): Map<string, QueryValue> {
  const query = new Map<string, QueryValue>();
  for (const [rawKey, value] of search) {
    const match = /^([^[\]]+)\[([^[\]]*)\]$/.exec(rawKey);
    if (!match) {
      query.set(rawKey, value);
      continue;
    }
    const [, name = '', inner = ''] = match;
    const current = query.get(name);
    if (inner === '' || /^\d+$/.test(inner)) {
      query.set(name, [...(Array.isArray(current) ? current : []), value]);
    } else {
      query.set(name, { ...(typeof current === 'object' && !Array.isArray(current) ? current : {}), [inner]: value });
    }
  }
  return query;
}

/** A field that may hold an id or, expanded, an object with that id. */
function idOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'id' in value ? (value as { id: unknown }).id : value;
}

type Filter = (object: StripeObject, value: QueryValue, param: string) => boolean;

const equals =
  (field: string): Filter =>
  (object, value, param) => {
    if (typeof value !== 'string') throw new StripeQueryError(`Invalid string: ${JSON.stringify(value)}`, param);
    return idOf(object[field]) === value;
  };

/** `payment[type]`, `payment[payment_intent]` of the invoice payments list. */
const invoicePaymentFilter: Filter = (object, value, param) => {
  if (typeof value !== 'object' || Array.isArray(value)) throw new StripeQueryError('Invalid hash', param);
  const payment = (object.payment ?? {}) as Record<string, unknown>;
  return Object.entries(value).every(([key, expected]) => {
    if (!['type', 'payment_intent', 'payment_record'].includes(key)) throw new StripeQueryError(`Received unknown parameter: ${param}[${key}]`, `${param}[${key}]`);
    return idOf(payment[key]) === expected;
  });
};

/** A boolean filter (`active=true`), Stripe's form encoding of booleans. */
const booleanEquals =
  (field: string): Filter =>
  (object, value, param) => {
    if (value !== 'true' && value !== 'false') throw new StripeQueryError(`Invalid boolean: ${JSON.stringify(value)}`, param);
    return object[field] === (value === 'true');
  };

/** `status` of the subscriptions list: `all` lists every status; no status lists the ones not canceled. */
const subscriptionStatus: Filter = (object, value) => value === 'all' || object.status === value;

/** The list endpoints the sandbox serves: path segment → object type and the filters Stripe documents for it. */
export const COLLECTIONS = {
  customers: { type: 'customer', filters: { email: equals('email'), test_clock: equals('test_clock') } },
  subscriptions: {
    type: 'subscription',
    filters: { customer: equals('customer'), status: subscriptionStatus, collection_method: equals('collection_method'), test_clock: equals('test_clock') },
  },
  invoices: {
    type: 'invoice',
    filters: { customer: equals('customer'), status: equals('status'), subscription: equals('subscription'), collection_method: equals('collection_method') },
  },
  invoice_payments: { type: 'invoice_payment', filters: { invoice: equals('invoice'), status: equals('status'), payment: invoicePaymentFilter } },
  charges: { type: 'charge', filters: { customer: equals('customer'), payment_intent: equals('payment_intent'), transfer_group: equals('transfer_group') } },
  refunds: { type: 'refund', filters: { charge: equals('charge'), payment_intent: equals('payment_intent') } },
  credit_notes: { type: 'credit_note', filters: { invoice: equals('invoice'), customer: equals('customer') } },
  disputes: { type: 'dispute', filters: { charge: equals('charge'), payment_intent: equals('payment_intent') } },
  payment_intents: { type: 'payment_intent', filters: { customer: equals('customer') } },
  tax_rates: { type: 'tax_rate', filters: { active: booleanEquals('active'), inclusive: booleanEquals('inclusive') } },
} as const satisfies Record<string, { type: string; filters: Record<string, Filter> }>;
export type CollectionName = keyof typeof COLLECTIONS;

export function isCollection(name: string): name is CollectionName {
  return Object.hasOwn(COLLECTIONS, name);
}

const PAGINATION = new Set(['limit', 'starting_after', 'ending_before', 'created', 'expand']);

function integer(text: string, param: string): number {
  if (!/^-?\d+$/.test(text)) throw new StripeQueryError(`Invalid integer: ${text}`, param);
  return Number(text);
}

/** `created=123` or `created[gt|gte|lt|lte]=123` (Unix seconds). */
function createdFilter(value: QueryValue): (created: number) => boolean {
  if (typeof value === 'string') {
    const exact = integer(value, 'created');
    return (created) => created === exact;
  }
  if (Array.isArray(value)) throw new StripeQueryError('Invalid timestamp or hash', 'created');
  const bounds = Object.entries(value).map(([operator, text]) => {
    const bound = integer(text, `created[${operator}]`);
    switch (operator) {
      case 'gt':
        return (created: number) => created > bound;
      case 'gte':
        return (created: number) => created >= bound;
      case 'lt':
        return (created: number) => created < bound;
      case 'lte':
        return (created: number) => created <= bound;
      default:
        throw new StripeQueryError(`Received unknown parameter: created[${operator}]`, `created[${operator}]`);
    }
  });
  return (created) => bounds.every((inBounds) => inBounds(created));
}

export interface ListPage {
  data: StripeObject[];
  has_more: boolean;
}

/**
 * One page of a list, as Stripe cuts it: newest first, `limit` 1..100 (default 10), `starting_after` /
 * `ending_before` cursors naming an object of the list (a cursor that names nothing is a 404).
 */
export function listPage(collection: CollectionName, objects: StripeObject[], query: Map<string, QueryValue>): ListPage {
  const { type, filters } = COLLECTIONS[collection];
  const predicates: Array<(object: StripeObject) => boolean> = [];
  for (const [param, value] of query) {
    if (PAGINATION.has(param)) continue;
    const filter = (filters as Record<string, Filter>)[param];
    if (!filter) throw new StripeQueryError(`Received unknown parameter: ${param}`, param);
    predicates.push((object) => filter(object, value, param));
  }
  if (collection === 'subscriptions' && !query.has('status')) predicates.push((object) => object.status !== 'canceled');
  const created = query.get('created');
  if (created !== undefined) {
    const inRange = createdFilter(created);
    predicates.push((object) => typeof object.created === 'number' && inRange(object.created));
  }

  return slicePage(type, objects, predicates, query);
}

/**
 * One page of a list nested in an object (`/v1/invoices/{id}/lines`): in the parent's order, `limit` and
 * the cursors only (Stripe documents no filter there).
 */
export function nestedListPage(type: string, objects: StripeObject[], query: Map<string, QueryValue>): ListPage {
  for (const param of query.keys()) {
    if (!['limit', 'starting_after', 'ending_before', 'expand'].includes(param)) throw new StripeQueryError(`Received unknown parameter: ${param}`, param);
  }
  return slicePage(type, objects, [], query);
}

/** `limit` 1..100 (default 10) and the `starting_after` / `ending_before` cursors over `objects`, keeping those the predicates accept. */
function slicePage(type: string, objects: StripeObject[], predicates: Array<(object: StripeObject) => boolean>, query: Map<string, QueryValue>): ListPage {
  const limitText = query.get('limit') ?? '10';
  if (typeof limitText !== 'string') throw new StripeQueryError('Invalid integer', 'limit');
  const limit = integer(limitText, 'limit');
  if (limit < 1) throw new StripeQueryError('This value must be greater than or equal to 1.', 'limit');
  if (limit > 100) throw new StripeQueryError('This value must be less than or equal to 100.', 'limit');

  const startingAfter = query.get('starting_after');
  const endingBefore = query.get('ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw new StripeQueryError('You may only specify one of these parameters: ending_before, starting_after.', 'ending_before');
  }
  const cursorIndex = (cursor: QueryValue, param: string): number => {
    const index = typeof cursor === 'string' ? objects.findIndex((object) => object.id === cursor) : -1;
    if (index < 0) throw new StripeQueryError(`No such ${type}: '${String(cursor)}'`, param, 404, 'resource_missing');
    return index;
  };

  // Cursors are positions in the unfiltered order, as at Stripe: an object filtered out still marks a place.
  const matches = (from: number, to: number) => objects.slice(from, to).filter((object) => predicates.every((predicate) => predicate(object)));
  if (endingBefore !== undefined) {
    const before = matches(0, cursorIndex(endingBefore, 'ending_before'));
    return { data: before.slice(-limit), has_more: before.length > limit };
  }
  const after = matches(startingAfter === undefined ? 0 : cursorIndex(startingAfter, 'starting_after') + 1, objects.length);
  return { data: after.slice(0, limit), has_more: after.length > limit };
}
