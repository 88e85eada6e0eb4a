import * as z from 'zod/mini';
import type { DocumentLine } from '../../../events/billing-parts';
import type { CustomerSnapshot } from '../../../events/customer-upserted';
import type { InvoiceSnapshot } from '../../../events/invoice-finalized';
import type { BillingSource, CreditNoteSnapshot, ProviderTaxRate, RefundSnapshot } from '../../domain/billing-ledger';
import { type StripeApi, type StripeCallOptions, StripeRequestError } from './stripe-api';
import { customerSnapshotFromStripe, stripeCustomerSchema } from './stripe-customer-mapping';
import { documentLineFromStripeInvoiceLine, invoiceSnapshotFromStripe, stripeInvoiceLineSchema, stripeInvoiceSchema } from './stripe-invoice-mapping';
import { expandableIdSchema, idOf, parseStripeObject } from './stripe-object-mapping';
import { creditNoteOfStripeRefund, invoiceOfStripeRefund } from './stripe-refund-lookups';
import { providerTaxRateFromStripe, stripeTaxRateObjectSchema } from './stripe-tax-rate-mapping';

/** What a charge or payment intent says of its payer: the customer, absent for a guest payment. */
const stripePayerSchema = z.object({ id: z.string(), customer: z.nullish(expandableIdSchema) });

/**
 * The billing flows' view of Stripe when Odoo lacks what an event depends on: the object fetched from
 * the API (1 GET, retried by StripeApi) and mapped exactly as the ingest maps a webhook, so a fetched
 * invoice posts the same document as its `invoice.finalized` would.
 *
 * Connect: objects are read on this source's account (`Stripe-Account`), which is the account of the event
 * being applied (StripeBillingSources picks it); null reads on the client's own account.
 */
export class StripeBillingSource implements BillingSource {
  /** Tax rates read so far (this instance lives as long as its container), by id; in-flight reads shared. */
  private readonly taxRates = new Map<string, Promise<ProviderTaxRate | undefined>>();

  constructor(
    private readonly stripe: StripeApi,
    private readonly account: string | null = null,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** `Stripe-Account` of every read: an object of a connected account is a 404 anywhere else. */
  private get onAccount(): StripeCallOptions {
    return this.account === null ? {} : { stripeAccount: this.account };
  }

  async customer(id: string): Promise<CustomerSnapshot | undefined> {
    const raw = await this.stripe.retrieve('customer', id, this.onAccount);
    // A deleted customer answers `{ id, deleted: true }`: nothing to create a partner from.
    if (raw === undefined || raw['deleted'] === true) return undefined;
    return customerSnapshotFromStripe(parseStripeObject(stripeCustomerSchema, raw, 'customer'), raw['livemode'] === true);
  }

  /**
   * Only a finalized invoice (open, paid, void or uncollectible): a draft has no final lines to post. With every
   * line: 1 GET, + 1 per 100 lines when the invoice embeds only its first ones.
   */
  async invoice(id: string): Promise<InvoiceSnapshot | undefined> {
    const raw = await this.stripe.retrieve('invoice', id, this.onAccount);
    if (raw === undefined || raw['status'] === 'draft') return undefined;
    const invoice = parseStripeObject(stripeInvoiceSchema, raw, 'invoice');
    const { linesIncomplete, ...snapshot } = invoiceSnapshotFromStripe(invoice, { account: this.account, observedAt: this.nowSeconds() });
    if (!linesIncomplete) return snapshot;
    const lines = await this.invoiceLines(invoice);
    // Retrieved a moment ago: gone now means deleted in between, as good as unknown.
    return lines === undefined ? undefined : { ...snapshot, lines };
  }

  /** Every line of the invoice (`GET /v1/invoices/{id}/lines`, 100 a page), mapped as the ingest maps embedded lines. */
  async invoiceLines(invoice: { id: string }): Promise<DocumentLine[] | undefined> {
    const lines: DocumentLine[] = [];
    try {
      for await (const raw of this.stripe.invoiceLines(invoice.id, this.onAccount)) {
        lines.push(documentLineFromStripeInvoiceLine(parseStripeObject(stripeInvoiceLineSchema, raw, 'invoice line')));
      }
    } catch (error) {
      if (error instanceof StripeRequestError && error.details.status === 404 && error.details.code === 'resource_missing') return undefined;
      throw error;
    }
    return lines;
  }

  /** The invoice a refund gives back on, through its payment intent's invoice payments (1 list call; stripe-refund-lookups.ts). */
  async refundInvoice(refund: RefundSnapshot): Promise<string | null | undefined> {
    return invoiceOfStripeRefund(this.stripe, refund, this.onAccount);
  }

  /** The credit note of the invoice listing the refund (1 list call; stripe-refund-lookups.ts). */
  async creditNoteOfRefund(refund: RefundSnapshot, invoiceId: string): Promise<CreditNoteSnapshot | undefined> {
    return creditNoteOfStripeRefund(this.stripe, this.account, refund, invoiceId, this.nowSeconds(), this.onAccount);
  }

  /**
   * The customer of a disputed payment: the charge's (1 GET; Stripe names the charge of every dispute), else
   * its payment intent's.
   */
  async paymentCustomer(payment: { chargeId: string | null; paymentIntentId: string | null }): Promise<string | null | undefined> {
    const raw =
      payment.chargeId !== null
        ? await this.stripe.retrieve('charge', payment.chargeId, this.onAccount)
        : payment.paymentIntentId !== null
          ? await this.stripe.retrieve('payment_intent', payment.paymentIntentId, this.onAccount)
          : undefined;
    if (raw === undefined) return undefined;
    return idOf(parseStripeObject(stripePayerSchema, raw, payment.chargeId !== null ? 'charge' : 'payment intent').customer);
  }

  /**
   * A tax rate (1 GET the first time, then 0: cached for the container's life). Safe to cache: Stripe lets no one
   * change a rate's percentage or inclusiveness once created (a new rate is made instead); only names and
   * `active` change, and the label is for humans. An unknown rate is not cached (asked again next time); nor is
   * a failure.
   */
  taxRate(id: string): Promise<ProviderTaxRate | undefined> {
    const cached = this.taxRates.get(id);
    if (cached !== undefined) return cached;
    const reading = this.readTaxRate(id);
    this.taxRates.set(id, reading);
    reading.then(
      (rate) => {
        if (rate === undefined) this.taxRates.delete(id);
      },
      () => this.taxRates.delete(id),
    );
    return reading;
  }

  private async readTaxRate(id: string): Promise<ProviderTaxRate | undefined> {
    const raw = await this.stripe.retrieve('tax_rate', id, this.onAccount);
    if (raw === undefined) return undefined;
    return providerTaxRateFromStripe(parseStripeObject(stripeTaxRateObjectSchema, raw, 'tax rate'));
  }
}

/**
 * One StripeBillingSource per Stripe account, made on first use and kept for the container's life (each keeps
 * its own tax-rate cache: tax rates belong to an account). Connect webhooks name the connected account the
 * event happened on (`account`, carried by every canonical billing event): the flow reads on that account.
 * An event without one is the platform's own — or, when the stage names `STRIPE_ACCOUNT` (the stack serves
 * one connected account through an account-level endpoint), that account's.
 */
export class StripeBillingSources {
  private readonly byAccount = new Map<string | null, StripeBillingSource>();

  constructor(
    private readonly stripe: StripeApi,
    private readonly stageAccount: string | null = null,
    private readonly nowSeconds?: () => number,
  ) {}

  forAccount(eventAccount: string | null): StripeBillingSource {
    const account = eventAccount ?? this.stageAccount;
    let source = this.byAccount.get(account);
    if (source === undefined) {
      source = new StripeBillingSource(this.stripe, account, this.nowSeconds);
      this.byAccount.set(account, source);
    }
    return source;
  }
}
