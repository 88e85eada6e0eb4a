import { randomBytes } from 'node:crypto';
import type { StripeObjectStore } from './stripe-object-store';
import { type StripeObject, stripeObject } from './stripe-object-templates';

/**
 * The writes the lifecycle sagas make at Stripe, as Stripe answers them: `POST /v1/customers`,
 * `POST /v1/subscriptions`, `DELETE /v1/subscriptions/{id}` (cancel), `DELETE /v1/customers/{id}`.
 * Parameters are form-encoded with Stripe's brackets (`items[0][price]=price_1`, `metadata[odoo_partner]=12`).
 *
 * `Idempotency-Key` on a POST, as Stripe documents it: the first request's status and body are saved under the key
 * (per account) once the request passed validation, and a retry with the same parameters gets the same answer (and
 * `Idempotent-Replayed: true`) without doing it again; the same key with other parameters, or on another endpoint, is
 * a 400 `idempotency_error`. A request refused by validation saves nothing. DELETE takes no key (Stripe ignores it).
 */

export interface WriteAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

interface SavedAnswer {
  readonly endpoint: string;
  readonly parameters: string;
  readonly answer: WriteAnswer;
}

type Params = Record<string, unknown>;

export class StripeWrites {
  /** `<account>|<key>` → the first request's answer. Stripe keeps keys 24 hours; the sandbox for its lifetime. */
  private readonly idempotent = new Map<string, SavedAnswer>();

  constructor(private readonly store: StripeObjectStore) {}

  forgetIdempotencyKeys(): void {
    this.idempotent.clear();
  }

  /** Whether the sandbox writes this (method, path); other writes stay Stripe's 404 for an unknown URL. */
  static handles(method: string, segments: readonly string[]): boolean {
    const [collection, id, ...rest] = segments;
    if (rest.length > 0) return false;
    if (method === 'POST') return id === undefined && (collection === 'customers' || collection === 'subscriptions');
    if (method === 'DELETE') return id !== undefined && id !== '' && (collection === 'customers' || collection === 'subscriptions');
    return false;
  }

  write(request: { method: string; segments: readonly string[]; body: string; idempotencyKey: string | undefined; account: string | null }): WriteAnswer {
    const [collection, id] = request.segments;
    const endpoint = `${request.method} /v1/${collection}${id ? `/${id}` : ''}`;
    const params = parseForm(request.body);
    if (request.method === 'DELETE') return collection === 'customers' ? this.deleteCustomer(request.account, decodeURIComponent(id!)) : this.cancelSubscription(request.account, decodeURIComponent(id!));

    const validationError = collection === 'customers' ? validateCustomer(params) : validateSubscription(params);
    if (validationError) return validationError;

    const key = request.idempotencyKey;
    const parameters = canonical(params);
    if (key !== undefined) {
      const saved = this.idempotent.get(`${request.account ?? ''}|${key}`);
      if (saved) {
        if (saved.endpoint !== endpoint) {
          return idempotencyError(`Keys for idempotent requests can only be used for the same endpoint they were first used for ('${saved.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`);
        }
        if (saved.parameters !== parameters) {
          return idempotencyError(`Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`);
        }
        return { ...saved.answer, headers: { ...saved.answer.headers, 'Idempotent-Replayed': 'true' } };
      }
    }
    const answer = collection === 'customers' ? this.createCustomer(request.account, params) : this.createSubscription(request.account, params);
    if (key !== undefined) this.idempotent.set(`${request.account ?? ''}|${key}`, { endpoint, parameters, answer });
    return key === undefined ? answer : { ...answer, headers: { ...answer.headers, 'Idempotency-Key': key } };
  }

  private createCustomer(account: string | null, params: Params): WriteAnswer {
    const customer = stripeObject('customer', {
      id: `cus_${randomId()}`,
      created: nowSeconds(),
      email: params['email'] ?? null,
      name: params['name'] ?? null,
      phone: params['phone'] ?? null,
      description: params['description'] ?? null,
      metadata: params['metadata'] ?? {},
      livemode: false,
    });
    this.store.put([customer], account);
    return { status: 200, body: customer };
  }

  private createSubscription(account: string | null, params: Params): WriteAnswer {
    const customerId = String(params['customer']);
    const customer = this.store.get(account, 'customer', customerId);
    if (!customer || customer['deleted'] === true) return missing('customer', customerId, 'customer');
    const items = params['items'] as Params[];
    const prices: StripeObject[] = [];
    for (const [index, item] of items.entries()) {
      const price = this.store.get(account, 'price', String(item['price']));
      if (!price) return missing('price', String(item['price']), `items[${index}][price]`);
      prices.push(price);
    }
    const id = `sub_${randomId()}`;
    const now = nowSeconds();
    const subscription = stripeObject('subscription', {
      id,
      created: now,
      start_date: now,
      customer: customerId,
      status: 'active',
      collection_method: params['collection_method'] ?? 'charge_automatically',
      days_until_due: params['days_until_due'] === undefined ? null : Number(params['days_until_due']),
      metadata: params['metadata'] ?? {},
      canceled_at: null,
      ended_at: null,
      livemode: false,
    });
    subscription['items'] = {
      object: 'list',
      url: `/v1/subscription_items?subscription=${id}`,
      has_more: false,
      data: items.map((item, index) => ({
        id: `si_${randomId()}`,
        object: 'subscription_item',
        created: now,
        subscription: id,
        price: prices[index],
        quantity: item['quantity'] === undefined ? 1 : Number(item['quantity']),
        metadata: {},
      })),
    };
    this.store.put([subscription], account);
    return { status: 200, body: subscription };
  }

  /** Cancels now. An already canceled subscription is answered as it is (a compensation retried finds it undone). */
  private cancelSubscription(account: string | null, id: string): WriteAnswer {
    const subscription = this.store.get(account, 'subscription', id);
    if (!subscription) return missing('subscription', id, 'id');
    if (subscription['status'] === 'canceled') return { status: 200, body: subscription };
    const now = nowSeconds();
    const canceled = { ...subscription, status: 'canceled', canceled_at: now, ended_at: now };
    this.store.put([canceled], account);
    return { status: 200, body: canceled };
  }

  /** Deletes the customer (Stripe keeps answering its id with `deleted: true`); deleting it again is a 404. */
  private deleteCustomer(account: string | null, id: string): WriteAnswer {
    const customer = this.store.get(account, 'customer', id);
    if (!customer || customer['deleted'] === true) return missing('customer', id, 'id');
    const deleted = { id, object: 'customer', deleted: true } as StripeObject;
    this.store.put([deleted], account);
    return { status: 200, body: deleted };
  }
}

function validateCustomer(params: Params): WriteAnswer | undefined {
  for (const name of Object.keys(params)) {
    if (!['email', 'name', 'phone', 'description', 'metadata'].includes(name)) return invalid(`Received unknown parameter: ${name}`, name);
  }
  return undefined;
}

function validateSubscription(params: Params): WriteAnswer | undefined {
  for (const name of Object.keys(params)) {
    if (!['customer', 'items', 'metadata', 'collection_method', 'days_until_due'].includes(name)) return invalid(`Received unknown parameter: ${name}`, name);
  }
  if (typeof params['customer'] !== 'string') return invalid('Missing required param: customer.', 'customer', 'parameter_missing');
  const items = params['items'];
  if (!Array.isArray(items) || items.length === 0) return invalid('Missing required param: items.', 'items', 'parameter_missing');
  for (const [index, item] of items.entries()) {
    if (typeof (item as Params | undefined)?.['price'] !== 'string') return invalid(`Missing required param: items[${index}][price].`, `items[${index}][price]`, 'parameter_missing');
  }
  const method = params['collection_method'];
  if (method !== undefined && method !== 'charge_automatically' && method !== 'send_invoice') {
    return invalid(`Invalid collection_method: must be one of charge_automatically or send_invoice`, 'collection_method');
  }
  if (method === 'send_invoice' && params['days_until_due'] === undefined) return invalid('Missing required param: days_until_due.', 'days_until_due', 'parameter_missing');
  return undefined;
}

/** `a[b][0][c]=v&…` → `{ a: { b: [{ c: 'v' }] } }`, as Stripe reads its form parameters. */
export function parseForm(body: string): Params {
  const root: Params = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const path = name.replace(/\]/g, '').split('[');
    let node: Params | unknown[] = root;
    path.forEach((segment, index) => {
      const last = index === path.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(path[index + 1]!);
      const container = node as Record<string, unknown>;
      if (last) {
        container[segment] = value;
        return;
      }
      container[segment] ??= nextIsIndex ? [] : {};
      node = container[segment] as Params | unknown[];
    });
  }
  return root;
}

/** Parameters in one order, so that the same request twice compares equal however its fields were ordered. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Params)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const invalid = (message: string, param: string, code?: string): WriteAnswer => ({
  status: 400,
  body: { error: { type: 'invalid_request_error', message, param, ...(code ? { code } : {}) } },
});
/** An id in the URL Stripe does not know is a 404; one named in the parameters, a 400. */
const missing = (type: string, id: string, param: string): WriteAnswer => ({
  status: param === 'id' ? 404 : 400,
  body: { error: { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${type}: '${id}'` } },
});
const idempotencyError = (message: string): WriteAnswer => ({ status: 400, body: { error: { type: 'idempotency_error', message } } });
const randomId = () => randomBytes(7).toString('hex');
const nowSeconds = () => Math.floor(Date.now() / 1000);
