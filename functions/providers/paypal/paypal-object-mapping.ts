import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { CustomerSnapshot } from '../../../events/customer-upserted';
import { PermanentSyncError } from '../../platform/errors';
import { describeIssue } from '../../platform/validation-issues';
import { PaypalAmountError, paypalMoney } from './paypal-currencies';

/**
 * A PayPal object that lacks a field we rely on, or has it in a shape we do not know (or an amount that cannot
 * be written exactly). A retry cannot fix it: the ingest sets such a webhook aside, a flow dead-letters the event.
 */
export class MalformedPaypalObjectError extends PermanentSyncError {
  override name = 'MalformedPaypalObjectError';
}

export function parsePaypalObject<Schema extends z.ZodMiniType>(schema: Schema, value: unknown, what: string): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new MalformedPaypalObjectError(`resource is not a ${what} (${describeIssue(parsed.error.issues[0])})`);
  return parsed.data as z.infer<Schema>;
}

/** Money as PayPal v2 APIs write it. */
export const paypalMoneySchema = z.object({ currency_code: z.string().check(z.minLength(1)), value: z.string() });
export type PaypalMoney = z.infer<typeof paypalMoneySchema>;
/** Money as the v1 APIs (sales and their refunds) write it. */
export const paypalV1AmountSchema = z.object({ total: z.string(), currency: z.string().check(z.minLength(1)) });

export const paypalLinkSchema = z.object({ href: z.string(), rel: z.string(), method: z.optional(z.string()) });
export const paypalLinksSchema = z.optional(z.array(paypalLinkSchema));
export type PaypalLinks = z.infer<typeof paypalLinksSchema>;

/** Amount in canonical minor units and the lower-case code, or MalformedPaypalObjectError naming what. */
export function moneyOf(money: PaypalMoney, what: string): { amount: number; currency: string } {
  try {
    return paypalMoney(money);
  } catch (error) {
    if (error instanceof PaypalAmountError) throw new MalformedPaypalObjectError(`${what}: ${error.message}`);
    throw error;
  }
}

export function moneyOfV1(amount: z.infer<typeof paypalV1AmountSchema>, what: string): { amount: number; currency: string } {
  return moneyOf({ currency_code: amount.currency, value: amount.total }, what);
}

/**
 * A PayPal time as canonical ISO (UTC). PayPal mixes `Z` and offsets (`2018-08-15T12:13:29-07:00`) and even
 * sends impossible dates (the simulator's `2018-19-12T…`): the first readable candidate wins, none is an error.
 */
export function isoTime(what: string, ...candidates: Array<string | null | undefined>): string {
  for (const candidate of candidates) {
    if (candidate && /^\d{4}-\d{2}-\d{2}T/.test(candidate)) {
      const parsed = Date.parse(candidate);
      if (!Number.isNaN(parsed)) return new Date(parsed).toISOString();
    }
  }
  throw new MalformedPaypalObjectError(`${what} has no readable time`);
}

export function isoTimeOrNull(value: string | null | undefined): string | null {
  if (!value) return null;
  // A plain date (`2023-07-25`: invoice and due dates) is midnight UTC.
  const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
}

/** The id at the end of the link with this rel whose path contains `pathPart` (`/v2/payments/captures/`). */
export function linkedId(links: PaypalLinks, rel: string, pathPart: string): string | null {
  for (const link of links ?? []) {
    if (link.rel !== rel) continue;
    const at = link.href.indexOf(pathPart);
    if (at < 0) continue;
    const id = link.href.slice(at + pathPart.length).split(/[/?#]/)[0];
    if (id) return decodeURIComponent(id);
  }
  return null;
}

/** PayPal's sandbox answers from `*.sandbox.paypal.com`: its objects' links say which world they are from. */
export function livemodeOf(...linkLists: PaypalLinks[]): boolean {
  return !linkLists.some((links) => (links ?? []).some((link) => link.href.includes('.sandbox.paypal.com')));
}

/**
 * The canonical customer id of a PayPal payer: PayPal's own payer id when it gives one (orders, subscriptions),
 * else one derived from the email (invoice recipients have nothing else): `EMAIL-` and a hash of the normalized
 * address, stable across events and free of the address itself (ids end up in logs and keys; emails must not).
 */
export function paypalCustomerId(payer: { payerId?: string | null | undefined; email?: string | null | undefined }, what: string): string {
  if (payer.payerId) return payer.payerId;
  const email = payer.email?.trim().toLowerCase();
  if (email) return `EMAIL-${createHash('sha256').update(email).digest('hex').slice(0, 24).toUpperCase()}`;
  throw new MalformedPaypalObjectError(`${what} names neither a payer id nor an email: no customer to book it on`);
}

export const paypalNameSchema = z.optional(z.object({ given_name: z.optional(z.string()), surname: z.optional(z.string()), full_name: z.optional(z.string()) }));
export const paypalAddressSchema = z.optional(
  z.object({
    address_line_1: z.optional(z.string()),
    address_line_2: z.optional(z.string()),
    admin_area_2: z.optional(z.string()),
    admin_area_1: z.optional(z.string()),
    postal_code: z.optional(z.string()),
    country_code: z.optional(z.string()),
  }),
);

/** What PayPal says of a payer, from whichever object named them. */
export interface PaypalPayer {
  payerId?: string | null | undefined;
  email?: string | null | undefined;
  name?: z.infer<typeof paypalNameSchema>;
  businessName?: string | null | undefined;
  phone?: string | null | undefined;
  address?: z.infer<typeof paypalAddressSchema>;
}

export function customerSnapshotFromPaypalPayer(payer: PaypalPayer, livemode: boolean, what: string): CustomerSnapshot {
  const personal = [payer.name?.given_name, payer.name?.surname].filter(Boolean).join(' ') || payer.name?.full_name || null;
  const address = payer.address;
  return {
    system: 'paypal',
    id: paypalCustomerId(payer, what),
    name: payer.businessName || personal,
    email: payer.email ?? null,
    phone: payer.phone ?? null,
    address:
      address && Object.values(address).some(Boolean)
        ? {
            line1: address.address_line_1 ?? null,
            line2: address.address_line_2 ?? null,
            city: address.admin_area_2 ?? null,
            postalCode: address.postal_code ?? null,
            state: address.admin_area_1 ?? null,
            country: address.country_code ? address.country_code.toUpperCase() : null,
          }
        : null,
    // A PayPal payer has no account currency of its own.
    currency: null,
    livemode,
    // A PayPal payer carries no metadata of ours (nothing to link it with) and no tax id on the objects we read.
    links: [],
    taxId: null,
  };
}
