import { describe, expect, it } from 'vitest';
import type { DisputeUpdated } from '../../../../events/dispute-updated';
import type { InvoiceFinalized } from '../../../../events/invoice-finalized';
import { StripeApi } from '../../../../functions/providers/stripe/stripe-api';
import { StripeBillingSources } from '../../../../functions/providers/stripe/stripe-billing-source';
import { STRIPE_API_VERSION } from '../../../../functions/providers/stripe/stripe-object-mapping';
import type { BillingConfig } from '../../../../functions/domain/billing-config';
import { applyBillingEvent, type BillingFlowPorts } from '../../../../functions/flows/billing-sync/apply-billing-event';
import { stripeObject } from '../../../../local/sandboxes/stripe/stripe-object-templates';
import { InMemoryIdentityMap, InMemoryPartners, InMemoryWatermarks, customerIdentityTestPorts } from '../../../support/in-memory-ports';
import { InMemoryStanding } from '../../../support/in-memory-contracts';
import { InMemoryLedger } from '../../../support/in-memory-billing';

const CONFIG: BillingConfig = {
  companies: [{ account: '*', currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
  taxes: [],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
};

/** Stripe as a connected account sees it: objects exist only on their own account (`Stripe-Account`), as at Stripe. */
function connectedStripe(objectsByAccount: Record<string, Array<Record<string, unknown>>>) {
  const requests: Array<{ path: string; account: string | null }> = [];
  const fetchStub: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const account = new Headers(init?.headers).get('stripe-account');
    requests.push({ path: `${url.pathname}${url.search}`, account });
    const objects = objectsByAccount[account ?? 'platform'] ?? [];
    const id = decodeURIComponent(url.pathname.split('/')[3] ?? '');
    const found = objects.find((object) => object['id'] === id);
    if (url.pathname.split('/').length === 4 && found) return Response.json(found);
    if (url.pathname === '/v1/invoice_payments') {
      const intent = url.searchParams.get('payment[payment_intent]');
      const data = objects.filter((object) => object['object'] === 'invoice_payment' && (object['payment'] as { payment_intent?: string })?.payment_intent === intent);
      return Response.json({ object: 'list', data, has_more: false });
    }
    return Response.json({ error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such object: '${id}'` } }, { status: 404 });
  };
  const stripe = new StripeApi({ apiKey: async () => 'sk_test_platform', apiVersion: STRIPE_API_VERSION, baseUrl: 'https://stripe.test', fetch: fetchStub });
  return { stripe, requests };
}

const customer = (id: string) => stripeObject('customer', { id, name: 'Connected customer', email: 'billing@connected.example', address: null, phone: null });

function finalized(account: string | null, customerId: string): InvoiceFinalized {
  return {
    id: `stripe:evt_${customerId}:invoice.finalized`, type: 'invoice.finalized', source: 'stripe', subject: `stripe:invoice:in_${customerId}`,
    time: '2026-11-01T10:00:00Z', correlationId: `stripe:evt_${customerId}`, causationId: `evt_${customerId}`, dataVersion: 1,
    data: {
      invoice: {
        system: 'stripe', account, customerId, id: `in_${customerId}`, number: null, subscriptionId: null, currency: 'usd',
        issuedAt: '2026-11-01T10:00:00Z', dueAt: null, billingReason: 'manual',
        lines: [{ id: 'il_1', description: 'Seats', priceId: 'price_seat', productId: 'prod_seat', quantity: 1, amount: 1200, discountAmount: 0, taxes: [], periodStart: null, periodEnd: null, proration: false }],
        subtotal: 1200, totalDiscount: 0, totalTax: 0, total: 1200, amountPaid: 0, amountRemaining: 1200, livemode: false,
      },
    },
  };
}

function ports(sources: StripeBillingSources): BillingFlowPorts & { ledger: InMemoryLedger; partners: InMemoryPartners } {
  return {
    ledger: new InMemoryLedger(), partners: new InMemoryPartners(), standing: new InMemoryStanding(), identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(),
    watermarks: new InMemoryWatermarks(), config: CONFIG, sourceFor: (_system, account) => sources.forAccount(account),
  };
}

describe('Stripe Connect: what an event depends on is read on the event’s own account', () => {
  it('fetches the customer of a connected account’s invoice with Stripe-Account set to that account, and posts the invoice', async () => {
    // Prepare: the customer exists only on acct_A; the stage names another account.
    const { stripe, requests } = connectedStripe({ acct_A: [customer('cus_A')] });
    const p = ports(new StripeBillingSources(stripe, 'acct_stage'));
    // Act
    const outcome = await applyBillingEvent(finalized('acct_A', 'cus_A'), p);
    // Assess
    expect(requests).toEqual([{ path: '/v1/customers/cus_A', account: 'acct_A' }]);
    expect(outcome).toMatchObject({ outcome: 'posted', total: 1200 });
    expect([...p.partners.records.values()].map((partner) => partner.name)).toEqual(['Connected customer']);
  });

  it('reads events of two connected accounts each on its own account, in the same container', async () => {
    const { stripe, requests } = connectedStripe({ acct_A: [customer('cus_A')], acct_B: [customer('cus_B')] });
    const p = ports(new StripeBillingSources(stripe));
    await applyBillingEvent(finalized('acct_A', 'cus_A'), p);
    await applyBillingEvent(finalized('acct_B', 'cus_B'), p);
    expect(requests.map(({ account }) => account)).toEqual(['acct_A', 'acct_B']);
    expect(p.ledger.state().invoices.map((invoice) => `${invoice.ref} ${invoice.state}`)).toEqual(['in_cus_A posted', 'in_cus_B posted']);
  });

  it.each([
    ['the stage’s STRIPE_ACCOUNT', 'acct_stage', 'acct_stage'],
    ['the platform account (no Stripe-Account header)', null, null],
  ])('reads an event that names no account on %s', async (_case, stageAccount, header) => {
    const { stripe, requests } = connectedStripe({ [stageAccount ?? 'platform']: [customer('cus_P')] });
    await applyBillingEvent(finalized(null, 'cus_P'), ports(new StripeBillingSources(stripe, stageAccount)));
    expect(requests).toEqual([{ path: '/v1/customers/cus_P', account: header }]);
  });

  it('asks for the invoice of a connected account’s dispute on that account', async () => {
    // Prepare
    const { stripe, requests } = connectedStripe({ acct_A: [] });
    const p = ports(new StripeBillingSources(stripe));
    p.ledger.partnerExternalIds.set('saas_sync.stripe_customer_cus_A', 7);
    const dispute: DisputeUpdated = {
      id: 'stripe:evt_dp:dispute.updated', type: 'dispute.updated', source: 'stripe', subject: 'stripe:charge:ch_A', time: '2026-11-10T10:00:00Z',
      correlationId: 'stripe:evt_dp', causationId: 'evt_dp', dataVersion: 1,
      data: { dispute: { system: 'stripe', account: 'acct_A', id: 'dp_A', chargeId: 'ch_A', paymentIntentId: 'pi_A', invoiceId: null, customerId: 'cus_A', amount: 1200, currency: 'usd', reason: 'fraudulent', status: 'needs_response', closed: false, updatedAt: '2026-11-10T10:00:00Z' } },
    };
    // Act
    await applyBillingEvent(dispute, p);
    // Assess
    expect(requests.map(({ account }) => account)).toEqual(['acct_A']);
    expect(requests[0]?.path).toContain('/v1/invoice_payments?');
  });
});
