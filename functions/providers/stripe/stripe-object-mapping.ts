import * as z from 'zod/mini';
import type { LineTax } from '../../../events/billing-parts';
import { PermanentSyncError } from '../../platform/errors';
import { describeIssue } from '../../platform/validation-issues';

/**
 * The Stripe API version every mapping in this folder is written against, and the one the installed
 * `stripe` package pins. Stripe renders each webhook in the endpoint's version (`api_version`); an
 * object in another version may have moved or renamed fields, so it is never mapped (the ingest sets
 * it aside instead). Flows that fetch objects from the API must request this version too.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';

/**
 * Where a Stripe object comes from: the Connect account (`acct_…`, the event's `account`; null for the
 * platform's own account) and when it was observed (unix seconds: the event's `created`, or the time
 * a flow fetched it), used only for a timestamp Stripe leaves empty.
 */
export interface StripeOrigin {
  readonly account: string | null;
  readonly observedAt: number;
}

/**
 * A Stripe object that lacks a field we rely on, or has it in a shape we do not know. A retry cannot fix
 * it: the ingest sets such a webhook aside, and a flow that fetched such an object dead-letters the event.
 */
export class MalformedStripeObjectError extends PermanentSyncError {
  override name = 'MalformedStripeObjectError';
}

/**
 * A Stripe object whose embedded list was cut short (`has_more`): mapping it would drop lines and give
 * Odoo a wrong total, so it is refused as a whole. A flow can fetch the full list and map again.
 */
export class IncompleteStripeObjectError extends MalformedStripeObjectError {
  override name = 'IncompleteStripeObjectError';
}

/** Parses a Stripe object with one of the mapping schemas, or throws MalformedStripeObjectError naming the field. */
export function parseStripeObject<Schema extends z.ZodMiniType>(schema: Schema, value: unknown, what: string): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new MalformedStripeObjectError(`data.object is not a ${what} (${describeIssue(parsed.error.issues[0])})`);
  return parsed.data as z.infer<Schema>;
}

/** An id Stripe may send as a string or, when expanded, as the object. */
export const expandableIdSchema = z.union([z.string().check(z.minLength(1)), z.object({ id: z.string().check(z.minLength(1)) })]);
export type ExpandableId = z.infer<typeof expandableIdSchema>;

export function idOf(value: ExpandableId): string;
export function idOf(value: ExpandableId | null | undefined): string | null;
export function idOf(value: ExpandableId | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

/** Money as Stripe sends it: an integer in the currency's minor units (zero-decimal JPY, three-decimal KWD alike). */
export const stripeAmountSchema = z.int();
export const stripeTimestampSchema = z.int();
export const stripeCurrencySchema = z.string().check(z.regex(/^[a-z]{3}$/));

export function isoFromUnix(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

export function isoOrNull(seconds: number | null | undefined): string | null {
  return seconds === null || seconds === undefined ? null : isoFromUnix(seconds);
}

/** A list Stripe embeds in an object (`{ data, has_more }`). */
export function embeddedListSchema<Item extends z.ZodMiniType>(item: Item) {
  return z.object({ data: z.array(item), has_more: z.optional(z.boolean()) });
}

export function completeList<Item>(list: { data: Item[]; has_more?: boolean | undefined }, what: string): Item[] {
  if (list.has_more) throw new IncompleteStripeObjectError(`${what} has more entries than the payload carries (has_more)`);
  return list.data;
}

/** `{ amount }` entries (discount amounts, taxes) added up, exactly: integers in minor units. */
export function sumAmounts(entries: readonly { amount: number }[] | null | undefined): number {
  return (entries ?? []).reduce((total, entry) => total + entry.amount, 0);
}

/** One tax on an invoice or credit note line (`taxes[]`, also the invoice's `total_taxes[]`). */
export const stripeTaxSchema = z.object({
  amount: stripeAmountSchema,
  tax_behavior: z.string(),
  tax_rate_details: z.nullish(z.object({ tax_rate: z.string() })),
  taxable_amount: z.nullish(stripeAmountSchema),
});
export type StripeTax = z.infer<typeof stripeTaxSchema>;

/** The parts of a tax rate object (credit note lines embed them) that name and size the tax. */
export const stripeTaxRateSchema = z.object({
  id: z.string(),
  percentage: z.nullish(z.number().check(z.nonnegative())),
  display_name: z.nullish(z.string()),
  jurisdiction: z.nullish(z.string()),
});
export type StripeTaxRate = z.infer<typeof stripeTaxRateSchema>;

/**
 * A tax rate's `percentage` as the exact decimal string the canonical events carry (`"19"`, `"8.875"`). Stripe
 * sends a decimal with few digits; JSON makes it the nearest double, whose shortest representation (`String`)
 * is that decimal again — no float arithmetic or fixed-digit formatting that could print `19.000000000000004`.
 * Anything that is not a plain non-negative decimal (an exponent form) is refused rather than rounded.
 */
export function stripePercentage(percentage: number, what: string): string {
  const text = String(percentage);
  if (!/^\d+(\.\d+)?$/.test(text)) throw new MalformedStripeObjectError(`${what} has percentage ${text}, not a plain decimal`);
  return text;
}

/**
 * Stripe's taxes on a line as canonical taxes. A line's `taxes` carry only the tax rate id, so the rate
 * and label are filled from `taxRates` when the object embeds them (credit note lines do) and are
 * otherwise null (invoice lines in webhooks): the billing flow then reads the rate by its id
 * (functions/flows/billing-sync/provider-tax-rates.ts), never from amount ÷ taxable amount.
 */
export function lineTaxesFromStripe(taxes: readonly StripeTax[] | null | undefined, taxRates: readonly StripeTaxRate[] = []): LineTax[] {
  return (taxes ?? []).map((tax) => {
    const taxRateId = tax.tax_rate_details?.tax_rate ?? null;
    const rate = taxRateId === null ? undefined : taxRates.find((candidate) => candidate.id === taxRateId);
    const label = [rate?.display_name, rate?.jurisdiction].filter((part) => part).join(' ');
    return {
      amount: tax.amount,
      taxableAmount: tax.taxable_amount ?? null,
      taxRateId,
      percentage: rate?.percentage === null || rate?.percentage === undefined ? null : stripePercentage(rate.percentage, `tax rate ${rate.id}`),
      inclusive: tax.tax_behavior === 'inclusive',
      label: label === '' ? null : label,
    };
  });
}
