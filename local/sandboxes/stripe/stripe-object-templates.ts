import { readFileSync } from 'node:fs';

/**
 * Stripe's own sample objects (stripe/openapi `fixtures3.json`, the ones stripe-mock serves, API
 * `2026-10-28.endive`), kept in `stripe-object-templates.json` so that a seeded object has every field
 * a real one has. `stripeObject('invoice', { id, total, ... })` fills one in.
 */
export const STRIPE_OBJECT_TYPES = [
  'customer',
  'subscription',
  'invoice',
  'invoice_payment',
  'charge',
  'refund',
  'credit_note',
  'payment_intent',
  'tax_rate',
] as const;
export type StripeObjectType = (typeof STRIPE_OBJECT_TYPES)[number];

export type StripeObject = { id: string; object: string } & Record<string, unknown>;

const templates = (JSON.parse(readFileSync(new URL('./stripe-object-templates.json', import.meta.url), 'utf8')) as {
  resources: Record<StripeObjectType, StripeObject>;
}).resources;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays, scalars and null replace. */
function deepMerge(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

/**
 * A Stripe object of `type` from Stripe's sample, with `overrides` merged in (nested objects merge,
 * e.g. `{ payment: { payment_intent: 'pi_1' } }` keeps `payment.type`). `id` should be overridden:
 * every template of a type shares the sample's id.
 */
export function stripeObject(type: StripeObjectType, overrides: Record<string, unknown> = {}): StripeObject {
  const template = templates[type];
  if (!template) throw new TypeError(`no Stripe template for ${type}`);
  return deepMerge(structuredClone(template), overrides) as StripeObject;
}
