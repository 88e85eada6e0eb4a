import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpsState } from '../../local/console/ops-state';
import type { ExecutionRecord } from '../../local/runtime/stepfunctions/local-state-machines';
import { SANDBOX_ZENDESK_API_EMAIL, SANDBOX_ZENDESK_API_TOKEN } from '../../local/sandboxes/zendesk/server';
import { customerObject, invoiceObject, type StoryLine, subscriptionObject } from '../fixtures/stripe/billing-story';
import { stripeEvent } from '../fixtures/stripe/stripe-events';
import { type Harness, postStripeWebhook, sagaArn, STAGE, startHarness, waitFor, waitForFlowsSettled } from './local-stack-harness';
import { OdooFinanceView } from './odoo-finance-view';

/**
 * The dunning saga end to end on the local runtime, from the synthesized template: Stripe's `invoice.payment_failed`
 * webhook → ingest → bus → the saga's rule → starter → the Standard state machine, whose steps are the stack's
 * Lambda bundles writing to the Odoo sandbox and re-checking the invoice at the Stripe sandbox. The local stage's
 * grace period is seconds (lib/config/stages.ts `sagas.dunning`), the same state machine as in AWS otherwise.
 */

const TAGS = STAGE.config.billing.standingTags;
const STANDING_FIELD = STAGE.config.zendesk!.organizationFields.standing;
const ZENDESK_AUTHORIZATION = `Basic ${Buffer.from(`${SANDBOX_ZENDESK_API_EMAIL}/token:${SANDBOX_ZENDESK_API_TOKEN}`).toString('base64')}`;
const SUSPENDED = STAGE.config.sagas.dunning.suspendedTag;
const T0 = 1_791_000_000;
const PLAN: StoryLine[] = [{ price: 'price_e2eDunTeam', description: 'Team (monthly)', quantity: 1, unitAmount: 4900 }];

let harness: Harness;
let odoo: OdooFinanceView;

beforeAll(async () => {
  harness = await startHarness({ retryDelayScale: 0.2 });
  odoo = new OdooFinanceView(harness.odooConnection);
}, 300_000);

afterAll(async () => {
  await harness?.close();
});

/** A customer with one open invoice, in Stripe and (through the billing flow) in Odoo; returns its payment failure. */
async function customerWithOpenInvoice(name: string, options: { invoiceKnownToStripe?: boolean } = {}) {
  const customer = `cus_e2eDun${name}`;
  const invoice = `in_e2eDun${name}`;
  const customerJson = customerObject(customer, { name: `${name} Ltd`, email: `billing@${name.toLowerCase()}.example`, currency: 'usd' });
  const open = invoiceObject(invoice, { customer, customerName: `${name} Ltd`, currency: 'usd', lines: PLAN, finalizedAt: T0 + 10 });
  await harness.seedStripe(options.invoiceKnownToStripe === false ? [customerJson] : [customerJson, open]);
  await deliver(stripeEvent('customer.created', customerJson, { id: `evt_e2eDun${name}Customer`, created: T0 }));
  // Subscribed to Team: the entitlement the support desk shows (a customer with no live subscription has none to suspend).
  const subscription = subscriptionObject(`sub_e2eDun${name}`, { customer, currency: 'usd', status: 'active', lines: PLAN, created: T0 + 5 });
  await deliver(stripeEvent('customer.subscription.created', subscription, { id: `evt_e2eDun${name}Subscribed`, created: T0 + 5 }));
  if (options.invoiceKnownToStripe !== false) await deliver(stripeEvent('invoice.finalized', open, { id: `evt_e2eDun${name}Finalized`, created: T0 + 10 }));
  const failure = stripeEvent('invoice.payment_failed', { ...open, attempt_count: 1, attempted: true }, { id: `evt_e2eDun${name}Failed`, created: T0 + 20 });
  // The canonical customer the one-customer resolution gives a billing customer that speaks first: the organization's external id.
  return { customer, invoice, open, failure, canonical: `stripe_customer_${customer}` };
}

/**
 * The same company in HubSpot (same email domain): crm-sync joins its account to the Stripe customer's canonical
 * customer, so the dunning's task goes to the owner of this company.
 */
async function crmCompanyFor(name: string, companyId: number): Promise<void> {
  const hubspotUrl = harness.providerApi('hubspot').sandboxUrl!;
  const seeded = await fetch(`${hubspotUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify({ type: 'companies', records: [{ id: companyId, properties: { name: `${name} Ltd`, domain: `${name.toLowerCase()}.example` } }] }) });
  expect(seeded.status).toBe(200);
  const body = JSON.stringify([{ eventId: companyId, subscriptionId: 51, portalId: 62515, appId: 54321, occurredAt: Date.now() - 1_000, subscriptionType: 'company.creation', attemptNumber: 0, objectId: companyId, changeSource: 'CRM_UI', sourceId: 'userId:1' }]);
  const response = await fetch(harness.webhookUrlOf('hubspot'), { method: 'POST', headers: harness.providerApi('hubspot').webhookHeaders!(body), body });
  expect(response.status).toBe(200);
  await waitForFlowsSettled(harness.stack);
}

/** A task as the HubSpot sandbox's API serves it. */
async function crmTask(taskId: string): Promise<Record<string, string>> {
  const response = await fetch(`${harness.providerApi('hubspot').sandboxUrl!}/crm/v3/objects/tasks/${taskId}?properties=hs_task_status,hs_task_subject`, { headers: { Authorization: 'Bearer pat-sandbox-local' } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { properties: Record<string, string> }).properties;
}

/** The standing the support desk's organization of the customer shows (Zendesk sandbox, read as the API serves it). */
async function deskStanding(canonical: string): Promise<string | undefined> {
  const response = await fetch(`${harness.providerApi('zendesk').sandboxUrl!}/api/v2/organizations/search?external_id=${canonical}`, { headers: { Authorization: ZENDESK_AUTHORIZATION } });
  const { organizations } = (await response.json()) as { organizations: { organization_fields: Record<string, string> }[] };
  return organizations[0]?.organization_fields[STANDING_FIELD];
}

async function deliver(...events: ReturnType<typeof stripeEvent>[]): Promise<void> {
  for (const event of events) {
    const response = await postStripeWebhook(harness.webhookUrl, event);
    expect(response.status, `${event.type} ${event.id}: ${response.body}`).toBe(200);
  }
  await waitForFlowsSettled(harness.stack);
}

/** The dunning executions of an invoice (the saga's input carries its payment.failed event). */
function executionsOf(invoice: string): ExecutionRecord[] {
  return harness.stack.stateMachines
    .listExecutions(sagaArn(harness.stack, 'dunning'))
    .filter((execution) => (JSON.parse(execution.input) as { event: { data: { attempt: { invoiceId: string } } } }).event.data.attempt.invoiceId === invoice);
}

async function finishedExecutionOf(invoice: string): Promise<ExecutionRecord> {
  return waitFor(() => executionsOf(invoice).find((execution) => execution.status !== 'RUNNING'), { timeoutMs: 120_000, what: `the dunning of ${invoice} to finish` });
}

async function partnerOf(customer: string) {
  const partner = await odoo.customer(customer);
  expect(partner, `partner of ${customer}`).toBeDefined();
  return { ...partner!, notes: await odoo.notesOn('res.partner', partner!.id) };
}

const FAILED_NOTE = /Payment failed for invoice in_e2eDunGlobex \(49\.00 USD due, attempt 1\)/;
const count = (notes: readonly string[], pattern: RegExp) => notes.filter((note) => pattern.test(note)).length;

describe('dunning saga on the local runtime (Odoo sandbox, Stripe sandbox)', () => {
  it('suspends a customer whose invoice is still unpaid at the end of the grace period, and a re-delivered failure starts no second run', async () => {
    const { customer, invoice, failure, canonical } = await customerWithOpenInvoice('Globex');
    expect(await deskStanding(canonical)).toBe('active');

    await deliver(failure);
    const pastDue = await waitFor(async () => {
      const partner = await partnerOf(customer);
      // The tag is written before the note: both are the standing (a loaded machine showed the tag alone).
      return partner.tags.includes(TAGS.pastDue) && count(partner.notes, FAILED_NOTE) > 0 ? partner : undefined;
    }, { what: 'the past-due standing' });
    expect(count(pastDue.notes, FAILED_NOTE)).toBe(1);
    // Stripe delivers the same webhook again while the saga waits.
    await deliver(failure);

    const execution = await finishedExecutionOf(invoice);
    expect(execution.status).toBe('SUCCEEDED');
    expect(executionsOf(invoice)).toHaveLength(1);
    expect(execution.states?.filter((state) => state.status !== 'SUCCEEDED')).toEqual([]);
    expect(execution.states?.map((state) => state.name)).toEqual(expect.arrayContaining(['MarkPastDue', 'EntitlementPastDue', 'OpenOwnerTask', 'RecheckInvoice', 'Paid at the provider?', 'Suspend', 'SuspendEntitlement']));
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({
      entitlementPastDue: { customer: canonical, standing: 'past_due' },
      recheckInvoice: { outcome: 'unpaid', amountRemaining: 4900 },
      suspend: { outcome: 'suspended' },
      suspendEntitlement: { customer: canonical, standing: 'suspended', changed: true },
    });
    expect(await deskStanding(canonical)).toBe('suspended');

    const suspended = await partnerOf(customer);
    expect([...suspended.tags].sort()).toEqual([TAGS.pastDue, SUSPENDED].sort());
    expect(count(suspended.notes, /Payment failed for invoice in_e2eDunGlobex/)).toBe(1);
    expect(count(suspended.notes, /Suspended: invoice in_e2eDunGlobex is still unpaid \(49\.00 USD\) at the end of the grace period\./)).toBe(1);
  }, 180_000);

  it('restores a customer whose invoice was paid during the grace period', async () => {
    const { customer, invoice, open, failure, canonical } = await customerWithOpenInvoice('Initrode');
    await crmCompanyFor('Initrode', 7901);

    await deliver(failure);
    await waitFor(async () => ((await partnerOf(customer)).tags.includes(TAGS.pastDue) ? true : undefined), { what: 'the past-due standing' });
    await waitFor(async () => ((await deskStanding(canonical)) === 'past_due' ? true : undefined), { what: 'the entitlement past due on the desk' });
    // The customer pays at Stripe; the saga learns it from the invoice, not from another event.
    await harness.seedStripe([{ ...open, status: 'paid', amount_paid: 4900, amount_remaining: 0 }]);

    const execution = await finishedExecutionOf(invoice);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({
      recheckInvoice: { outcome: 'paid', amountRemaining: 0 },
      restore: { outcome: 'restored' },
      openOwnerTask: { outcome: 'opened', companyId: '7901', taskId: expect.any(String) },
      restoreEntitlement: { customer: canonical, standing: 'active' },
      completeOwnerTask: { outcome: 'completed' },
    });
    const { taskId } = (JSON.parse(execution.output ?? '{}') as { openOwnerTask: { taskId: string } }).openOwnerTask;
    expect(await crmTask(taskId)).toMatchObject({ hs_task_subject: 'Payment failed: invoice in_e2eDunInitrode (49.00 USD)', hs_task_status: 'COMPLETED' });
    expect(execution.states?.some((state) => state.name === 'Suspend' || state.name === 'SuspendEntitlement')).toBe(false);
    expect(await deskStanding(canonical)).toBe('active');

    const restored = await partnerOf(customer);
    expect(restored.tags).toEqual([]);
    expect(count(restored.notes, /Invoice in_e2eDunInitrode was paid during the grace period\. Standing “Past due” cleared\./)).toBe(1);
  }, 180_000);

  it('undoes the past-due standing when a later step fails for good, and fails with that step’s reason', async () => {
    // Stripe does not know the invoice: re-checking it can never succeed.
    const { customer, invoice, failure } = await customerWithOpenInvoice('Hooli', { invoiceKnownToStripe: false });

    await deliver(failure);
    const execution = await finishedExecutionOf(invoice);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('PermanentSyncError');
    expect(execution.cause).toMatch(/InvoiceUnknownAtProviderError: invoice in_e2eDunHooli is unknown to Stripe/);
    expect(execution.states?.map((state) => [state.name, state.status])).toEqual([
      ['MarkPastDue', 'SUCCEEDED'],
      ['Invoice still open in Odoo?', 'SUCCEEDED'],
      ['EntitlementPastDue', 'SUCCEEDED'],
      ['OpenOwnerTask', 'SUCCEEDED'],
      ['Wait before RecheckInvoice', 'SUCCEEDED'],
      ['RecheckInvoice', 'CAUGHT'],
      ['CloseOwnerTask', 'SUCCEEDED'],
      ['WithdrawPastDue', 'SUCCEEDED'],
      ['Failed', 'FAILED'],
    ]);

    const partner = await partnerOf(customer);
    expect(partner.tags).toEqual([]);
    const marked = partner.notes.findIndex((note) => /Payment failed for invoice in_e2eDunHooli/.test(note));
    const withdrawn = partner.notes.findIndex((note) => /Dunning of invoice in_e2eDunHooli stopped: .*unknown to Stripe.*Standing “Past due” cleared\./.test(note));
    expect(marked).toBeGreaterThanOrEqual(0);
    expect(withdrawn).toBeGreaterThanOrEqual(0);
  }, 180_000);

  it('fails at the step whose transient errors outlast its retries, and a redrive finishes it without repeating the steps before', async () => {
    const { customer, invoice, failure } = await customerWithOpenInvoice('Vandelay');
    // Stripe answers 503 for this invoice for longer than the step's retries (the local stage's few quick attempts).
    const faults = await fetch(`${harness.stripe.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ status: 503, count: 1000, path: `/v1/invoices/${invoice}` }) });
    expect(faults.ok).toBe(true);

    await deliver(failure);
    const failed = await finishedExecutionOf(invoice);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('RetryableSyncError');
    const recheck = failed.states?.at(-1);
    expect(recheck).toMatchObject({ name: 'RecheckInvoice', status: 'FAILED', retries: STAGE.config.sagas.stepRetry.maxAttempts });
    // Nothing was compensated: the standing stays while the operator fixes the cause.
    expect((await partnerOf(customer)).tags).toEqual([TAGS.pastDue]);

    // The ops console shows the execution with each state's input, output and error, and offers the redrive.
    const opsState = (await (await fetch(`${harness.stack.url}/_local/state`)).json()) as OpsState;
    const shown = opsState.executions.find((execution) => execution.executionArn === failed.executionArn);
    expect(shown).toMatchObject({ status: 'FAILED', error: 'RetryableSyncError', redrivable: true, redriveCount: 0 });
    expect(shown?.states.find((state) => state.name === 'MarkPastDue')).toMatchObject({ status: 'SUCCEEDED', input: expect.stringContaining('"invoiceId":"in_e2eDunVandelay"'), output: expect.stringContaining('"outcome":"flagged-past-due"') });
    expect(shown?.states.at(-1)).toMatchObject({ name: 'RecheckInvoice', status: 'FAILED', error: 'RetryableSyncError', cause: expect.stringContaining('in_e2eDunVandelay') });

    await fetch(`${harness.stripe.url}/_sandbox/faults`, { method: 'DELETE' });
    const redrive = await fetch(`${harness.stack.url}/_local/executions/redrive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ executionArn: failed.executionArn }) });
    expect(await redrive.json()).toEqual({ executionArn: failed.executionArn, status: 'RUNNING', redriveCount: 1 });
    const redriven = await waitFor(() => {
      const execution = harness.stack.stateMachines.describeExecution(failed.executionArn);
      return execution?.status === 'RUNNING' ? undefined : execution;
    }, { timeoutMs: 120_000, what: 'the redriven execution to finish' });

    expect(redriven).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    const redrivenAgain = await fetch(`${harness.stack.url}/_local/executions/redrive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ executionArn: failed.executionArn }) });
    expect(redrivenAgain.status).toBe(409);
    expect(redriven.states?.filter((state) => state.name === 'MarkPastDue')).toHaveLength(1);
    const partner = await partnerOf(customer);
    expect([...partner.tags].sort()).toEqual([TAGS.pastDue, SUSPENDED].sort());
    expect(count(partner.notes, /Payment failed for invoice in_e2eDunVandelay/)).toBe(1);
    expect(count(partner.notes, /Suspended: invoice in_e2eDunVandelay/)).toBe(1);
  }, 240_000);
});
