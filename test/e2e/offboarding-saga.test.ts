import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../../local/runtime/stepfunctions/local-state-machines';
import { SANDBOX_ZENDESK_API_EMAIL, SANDBOX_ZENDESK_API_TOKEN } from '../../local/sandboxes/zendesk/server';
import { customerObject, invoiceObject, type StoryLine, subscriptionObject } from '../fixtures/stripe/billing-story';
import { stripeEvent } from '../fixtures/stripe/stripe-events';
import { type Harness, postStripeWebhook, sagaArn, STAGE, startHarness, waitFor, waitForFlowsSettled } from './local-stack-harness';
import { OdooFinanceView } from './odoo-finance-view';

/**
 * The offboarding and amendment sagas end to end on the local runtime (Odoo sandbox, Stripe and Zendesk sandboxes): Stripe's
 * `customer.subscription.deleted` → ingest → bus → the saga's rule → starter → the state machine, whose steps close
 * the Odoo contract, revoke the entitlement on the desk and report the invoice still open; a seat change →
 * subscription-sync amends the contract and announces `subscription.amended` → the amendment saga. One stack for the file
 * (the subscriptions both sagas start from).
 */

const STANDING_FIELD = STAGE.config.zendesk!.organizationFields.standing;
const MRR_FIELD = STAGE.config.zendesk!.organizationFields.mrr;
const ZENDESK_AUTHORIZATION = `Basic ${Buffer.from(`${SANDBOX_ZENDESK_API_EMAIL}/token:${SANDBOX_ZENDESK_API_TOKEN}`).toString('base64')}`;
const T0 = 1_792_000_000;
const PLAN: StoryLine[] = [{ price: 'price_e2eOffTeam', description: 'Team (monthly)', quantity: 2, unitAmount: 4900 }];

let harness: Harness;
let odoo: OdooFinanceView;

beforeAll(async () => {
  harness = await startHarness({ retryDelayScale: 0.2 });
  odoo = new OdooFinanceView(harness.odooConnection);
}, 600_000);

afterAll(async () => {
  await harness?.close();
});

async function deliver(...events: ReturnType<typeof stripeEvent>[]): Promise<void> {
  for (const event of events) {
    const response = await postStripeWebhook(harness.webhookUrl, event);
    expect(response.status, `${event.type} ${event.id}: ${response.body}`).toBe(200);
  }
  await waitForFlowsSettled(harness.stack);
}

/** The offboarding executions started by a canonical event (the saga's input carries it). */
function executionsOf(eventId: string): ExecutionRecord[] {
  return harness.stack.stateMachines.listExecutions(sagaArn(harness.stack, 'offboarding')).filter((execution) => (JSON.parse(execution.input) as { event: { id: string } }).event.id === eventId);
}

const finished = (eventId: string) =>
  waitFor(() => executionsOf(eventId).find((execution) => execution.status !== 'RUNNING'), { timeoutMs: 120_000, what: `the offboarding run of ${eventId}` });

/** The customer's organization's fields on the desk. */
async function deskFields(canonical: string): Promise<Record<string, string> | undefined> {
  const response = await fetch(`${harness.providerApi('zendesk').sandboxUrl!}/api/v2/organizations/search?external_id=${canonical}`, { headers: { Authorization: ZENDESK_AUTHORIZATION } });
  const { organizations } = (await response.json()) as { organizations: { organization_fields: Record<string, string> }[] };
  return organizations[0]?.organization_fields;
}

async function deskStanding(canonical: string): Promise<string | undefined> {
  return (await deskFields(canonical))?.[STANDING_FIELD];
}

describe('offboarding saga on the local runtime (Odoo sandbox, Stripe and Zendesk sandboxes)', () => {
  it('a subscription’s end closes the contract, revokes the entitlement and reports the invoice left open; the partner stays, and a re-delivered end starts no second run', async () => {
    const customer = 'cus_e2eOffUmbrella';
    const subscription = `sub_e2eOffUmbrella`;
    const canonical = `stripe_customer_${customer}`;
    const customerJson = customerObject(customer, { name: 'Umbrella Ltd', email: 'billing@umbrella.example', currency: 'usd' });
    const active = subscriptionObject(subscription, { customer, currency: 'usd', status: 'active', lines: PLAN, created: T0 + 5 });
    const open = invoiceObject('in_e2eOffUmbrella', { customer, customerName: 'Umbrella Ltd', currency: 'usd', lines: PLAN, subscription, finalizedAt: T0 + 10, billingReason: 'subscription_cycle' });
    await harness.seedStripe([customerJson, active, open]);
    const subscribed = stripeEvent('customer.subscription.created', active, { id: 'evt_e2eOffUmbrellaSubscribed', created: T0 + 5 });
    await deliver(
      stripeEvent('customer.created', customerJson, { id: 'evt_e2eOffUmbrellaCustomer', created: T0 }),
      subscribed,
      stripeEvent('invoice.finalized', open, { id: 'evt_e2eOffUmbrellaFinalized', created: T0 + 10 }),
    );
    await waitFor(async () => ((await deskStanding(canonical)) === 'active' ? true : undefined), { what: 'the entitlement active on the desk' });

    // A snapshot that is no end starts a run that ends at its first step.
    const notAnEnd = await finished(`stripe:${subscribed.id}:subscription.updated`);
    expect(notAnEnd.status).toBe('SUCCEEDED');
    expect(JSON.parse(notAnEnd.output ?? '{}')).toMatchObject({ recogniseEnd: { outcome: 'not-an-end', status: 'active' } });
    expect(notAnEnd.states?.map((state) => state.name)).toEqual(['RecogniseEnd', 'An end to offboard?', 'Done An end to offboard?=not-an-end']);

    const ended = stripeEvent('customer.subscription.deleted', { ...subscriptionObject(subscription, { customer, currency: 'usd', status: 'canceled', lines: PLAN, created: T0 + 5 }), canceled_at: T0 + 60, ended_at: T0 + 60 }, { id: 'evt_e2eOffUmbrellaEnded', created: T0 + 60 });
    await deliver(ended);
    await deliver(ended);

    const eventId = `stripe:${ended.id}:subscription.updated`;
    const execution = await finished(eventId);
    expect(execution.status, execution.cause).toBe('SUCCEEDED');
    expect(executionsOf(eventId)).toHaveLength(1);
    const partner = await odoo.customer(customer);
    expect(partner, 'the partner stays').toBeDefined();
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({
      recogniseEnd: { outcome: 'offboard', reason: 'subscription-ended', customer: canonical, partnerId: partner!.id },
      closeContract: { contracts: [{ subscriptionId: subscription, state: 'cancelled' }] },
      revokeEntitlement: { customer: canonical, standing: 'cancelled' },
      markFormerCustomer: { outcome: 'no-crm-company' },
      checkOpenInvoices: { outcome: 'open-invoices', invoices: [{ ref: 'in_e2eOffUmbrella', amountDue: 9800, currency: 'USD' }] },
      archivePartner: { outcome: 'kept', reason: 'the stage keeps former customers’ partners (sagas.offboarding.archivePartner)' },
    });

    const [order] = (await odoo.ordersOf(partner!.id)).filter((candidate) => candidate.client_order_ref === subscription);
    expect(order?.state).toBe('cancel');
    expect(await deskStanding(canonical)).toBe('cancelled');
    const notes = await odoo.notesOn('res.partner', partner!.id);
    expect(notes.filter((note) => /Offboarding \(its subscription ended\): 1 invoice still open — .*\(in_e2eOffUmbrella\): 98\.00 USD due\./.test(note))).toHaveLength(1);
    expect(notes.filter((note) => new RegExp(`Subscription ${subscription} ended`).test(note))).toHaveLength(1);
  }, 300_000);

  it('a customer deleted at the provider: its contract closed and its entitlement cancelled, nothing left open', async () => {
    const customer = 'cus_e2eOffStark';
    const subscription = 'sub_e2eOffStark';
    const canonical = `stripe_customer_${customer}`;
    const customerJson = customerObject(customer, { name: 'Stark Ltd', email: 'billing@stark.example', currency: 'usd' });
    const active = subscriptionObject(subscription, { customer, currency: 'usd', status: 'active', lines: PLAN, created: T0 + 105 });
    await harness.seedStripe([customerJson, active]);
    await deliver(
      stripeEvent('customer.created', customerJson, { id: 'evt_e2eOffStarkCustomer', created: T0 + 100 }),
      stripeEvent('customer.subscription.created', active, { id: 'evt_e2eOffStarkSubscribed', created: T0 + 105 }),
    );
    await waitFor(async () => ((await deskStanding(canonical)) === 'active' ? true : undefined), { what: 'the entitlement active on the desk' });

    await deliver(stripeEvent('customer.deleted', customerJson, { id: 'evt_e2eOffStarkDeleted', created: T0 + 200 }));

    const execution = await waitFor(
      () =>
        harness.stack.stateMachines
          .listExecutions(sagaArn(harness.stack, 'offboarding'))
          .find((candidate) => {
            const { event } = JSON.parse(candidate.input) as { event: { type: string; subject: string } };
            return event.type === 'customer.deleted' && event.subject.endsWith(customer) && candidate.status !== 'RUNNING';
          }),
      { timeoutMs: 120_000, what: 'the offboarding of the deleted customer' },
    );
    expect(execution.status, execution.cause).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output ?? '{}') as { recogniseEnd: { partnerId: number } };
    expect(output).toMatchObject({
      recogniseEnd: { outcome: 'offboard', reason: 'customer-deleted', customer: canonical },
      closeContract: { contracts: [{ subscriptionId: subscription, state: 'cancelled' }] },
      revokeEntitlement: { customer: canonical, standing: 'cancelled', changed: true },
      checkOpenInvoices: { outcome: 'none-open' },
    });
    const [order] = (await odoo.ordersOf(output.recogniseEnd.partnerId)).filter((candidate) => candidate.client_order_ref === subscription);
    expect(order?.state).toBe('cancel');
    expect(await deskStanding(canonical)).toBe('cancelled');
  }, 300_000);

  it('a seat change amends the Odoo contract’s line and the amendment run re-derives the entitlement (MRR on the desk); no CRM company: no-crm', async () => {
    const customer = 'cus_e2eAmendWayne';
    const subscription = 'sub_e2eAmendWayne';
    const canonical = `stripe_customer_${customer}`;
    const customerJson = customerObject(customer, { name: 'Wayne Ltd', email: 'billing@wayne.example', currency: 'usd' });
    const active = subscriptionObject(subscription, { customer, currency: 'usd', status: 'active', lines: PLAN, created: T0 + 305 });
    const fiveSeats = subscriptionObject(subscription, { customer, currency: 'usd', status: 'active', lines: [{ ...PLAN[0]!, quantity: 5 }], created: T0 + 305 });
    await harness.seedStripe([customerJson, active]);
    await deliver(
      stripeEvent('customer.created', customerJson, { id: 'evt_e2eAmendWayneCustomer', created: T0 + 300 }),
      stripeEvent('customer.subscription.created', active, { id: 'evt_e2eAmendWayneSubscribed', created: T0 + 305 }),
    );
    await waitFor(async () => ((await deskFields(canonical))?.[MRR_FIELD] === '98.00 USD' ? true : undefined), { what: 'the entitlement on the desk at 2 seats' });

    await harness.seedStripe([fiveSeats]);
    const change = stripeEvent('customer.subscription.updated', fiveSeats, { id: 'evt_e2eAmendWayneSeats', created: T0 + 400 });
    await deliver(change);

    const amendmentId = `stripe:${change.id}:subscription.updated:amended`;
    const runsOf = () => harness.stack.stateMachines.listExecutions(sagaArn(harness.stack, 'amendment')).filter((execution) => (JSON.parse(execution.input) as { event: { id: string } }).event.id === amendmentId);
    const execution = await waitFor(() => runsOf().find((candidate) => candidate.status !== 'RUNNING'), { timeoutMs: 120_000, what: 'the amendment run of the seat change' });
    expect(execution.status, execution.cause).toBe('SUCCEEDED');
    expect(runsOf()).toHaveLength(1);
    const partner = await odoo.customer(customer);
    const [order] = (await odoo.ordersOf(partner!.id)).filter((candidate) => candidate.client_order_ref === subscription);
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({
      event: { data: { previousLines: [{ quantity: '2.00', unitPrice: '49.00' }], lines: [{ quantity: '5.00', unitPrice: '49.00' }] } },
      verifyContractAmended: { outcome: 'amended', orderId: order!.id },
      rederiveEntitlement: { customer: canonical },
      updateCrm: { outcome: 'no-crm', reason: `customer ${canonical} has no company in HubSpot` },
    });
    expect(order?.state).toBe('sale');
    expect((await odoo.orderLinesOf([order!.id])).map((line) => [line.product_uom_qty, line.price_unit])).toEqual([[5, 49]]);
    expect((await deskFields(canonical))?.[MRR_FIELD]).toBe('245.00 USD');
  }, 300_000);
});
