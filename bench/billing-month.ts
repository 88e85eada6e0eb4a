/**
 * A month of Stripe billing for the benches: N customers, each bringing the four webhooks of a month —
 * `customer.created`, `customer.subscription.created`, `invoice.finalized`, `invoice_payment.paid` — built
 * from Stripe's sample objects, and a sender that posts them signed as Stripe does. Shared by the month-end
 * burst (bench/month-end-burst.ts) and the chaos bench (bench/chaos.ts), so both measure the same month.
 */
import { customerObject, invoiceObject, invoicePaymentObject, type StoryLine, type StripeObjectJson, subscriptionObject } from '../test/fixtures/stripe/billing-story';
import { signedHeader, stripeEvent } from '../test/fixtures/stripe/stripe-events';

export type StripeWebhookEvent = ReturnType<typeof stripeEvent>;

// A month of one plan at five seat counts, in the stage's routed currency.
export const MONTH_T0 = Math.floor(Date.UTC(2026, 10, 30, 23, 0, 0) / 1000);
export const MONTH_PLAN: StoryLine = { price: 'price_benchTeamMonthly', description: 'Team plan (monthly)', quantity: 1, unitAmount: 4900 };
export const MONTH_CURRENCY = 'eur';

export interface MonthCustomer {
  readonly customer: string;
  readonly subscription: string;
  readonly invoice: string;
  /** The Stripe invoice payment (`inpay_…`): the memo of its Odoo payment. */
  readonly payment: string;
  readonly lines: StoryLine[];
  /** The invoice total and the amount paid, minor units. */
  readonly total: number;
}

export interface BillingMonth {
  readonly customers: MonthCustomer[];
  /** The month's webhooks type by type (every customer, then every subscription, …). */
  readonly waves: { type: string; events: StripeWebhookEvent[] }[];
  /** Every object the webhooks carry, as Stripe's API serves it (what a flow fetches when an event overtakes its dependency). */
  readonly stripeObjects: StripeObjectJson[];
}

/** `customers` customers, ids unique to `runId` so that runs against the same Odoo never collide. */
export function billingMonth(customerCount: number, runId: string = Date.now().toString(36)): BillingMonth {
  const customers: MonthCustomer[] = Array.from({ length: customerCount }, (_, index) => {
    const lines = [{ ...MONTH_PLAN, quantity: 1 + (index % 5) }];
    return {
      customer: `cus_bench${runId}${index}`,
      subscription: `sub_bench${runId}${index}`,
      invoice: `in_bench${runId}${index}`,
      payment: `inpay_bench${runId}${index}`,
      lines,
      total: lines.reduce((sum, line) => sum + line.quantity * line.unitAmount, 0),
    };
  });
  const name = (index: number) => `Bench Customer ${index}`;
  const waves = [
    {
      type: 'customer.created',
      events: customers.map((c, i) => stripeEvent('customer.created', customerObject(c.customer, { name: name(i), email: `billing@customer${i}.bench.example`, currency: MONTH_CURRENCY }), { created: MONTH_T0 })),
    },
    {
      type: 'customer.subscription.created',
      events: customers.map((c) =>
        stripeEvent('customer.subscription.created', subscriptionObject(c.subscription, { customer: c.customer, currency: MONTH_CURRENCY, status: 'active', lines: c.lines, created: MONTH_T0 + 10 }), {
          created: MONTH_T0 + 10,
        }),
      ),
    },
    {
      type: 'invoice.finalized',
      events: customers.map((c, i) =>
        stripeEvent(
          'invoice.finalized',
          invoiceObject(c.invoice, { customer: c.customer, customerName: name(i), currency: MONTH_CURRENCY, lines: c.lines, subscription: c.subscription, finalizedAt: MONTH_T0 + 20 }),
          { created: MONTH_T0 + 20 },
        ),
      ),
    },
    {
      type: 'invoice_payment.paid',
      events: customers.map((c, i) =>
        stripeEvent('invoice_payment.paid', invoicePaymentObject(c.payment, { invoice: c.invoice, currency: MONTH_CURRENCY, amount: c.total, paymentIntent: `pi_bench${runId}${i}`, paidAt: MONTH_T0 + 30 }), {
          created: MONTH_T0 + 30,
        }),
      ),
    },
  ];
  const stripeObjects = waves.flatMap((wave) => wave.events.map((event) => event.data.object as StripeObjectJson));
  return { customers, waves, stripeObjects };
}

/**
 * Posts the events, signed with `secret`, from `senders` concurrent senders (each takes the next event of
 * the list), and calls `answered` with each response's status (0: no answer, the connection failed); without
 * `answered`, anything but 200 throws. Resolves once every event was posted.
 */
export async function sendSignedWebhooks(
  webhookUrl: string,
  events: readonly object[],
  options: { secret: string; senders: number; answered?: (status: number, body: string, event: object) => void },
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: options.senders }, async () => {
      while (next < events.length) {
        const event = events[next++]!;
        const payload = JSON.stringify(event);
        let status: number;
        let body: string;
        try {
          const response = await fetch(webhookUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'Stripe-Signature': signedHeader(payload, { secret: options.secret }) },
            body: payload,
          });
          status = response.status;
          body = await response.text();
        } catch (error) {
          // No answer (the runtime was killed): Stripe would deliver it again later; the caller decides.
          if (!options.answered) throw error;
          status = 0;
          body = String(error);
        }
        if (options.answered) options.answered(status, body, event);
        else if (status !== 200) throw new Error(`webhook answered ${status}: ${body}`);
      }
    }),
  );
}
