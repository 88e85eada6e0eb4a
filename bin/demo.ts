#!/usr/bin/env node
/**
 * `npm run demo` (with `npm start` running): plays a realistic day of Stripe customer webhooks against the
 * local stack, correctly signed with the signing secret in .local/secrets.json, and shows after each one
 * what Odoo holds: created partners, a Stripe retry that changes nothing, a late older update that is
 * ignored, a deletion that archives the partner. Then, when the stage runs PayPal, a PayPal checkout: the
 * PayPal sandbox holds the order and its capture, and delivers `PAYMENT.CAPTURE.COMPLETED` signed with its key
 * (webhook-signer.ts, through the sandbox's `/_sandbox/deliver`) → the Odoo invoice and its payment; a
 * redelivery changes nothing. Then, when the stage runs HubSpot, one customer across CRM and billing: a HubSpot
 * company and its contact (a batch signed by the HubSpot sandbox) → one Odoo company with its contact as a child;
 * the same company later a Stripe customer naming it (`hubspot_company_id`) → still that one partner. Then, when the
 * stage runs Zendesk, the support story: a Pro subscription → the customer's Zendesk organization with its tier; a
 * failed payment → past due there; a ticket opened in the Zendesk sandbox (its event subscription delivers it to the
 * stack) → escalated with a note naming the open invoice, and shown in the partner's Odoo chatter; the retried payment
 * succeeds → standing restored.
 *
 * Env: LOCAL_PORT (4000); STRIPE_SANDBOX_PORT (12111); PAYPAL_SANDBOX_PORT (12112); HUBSPOT_SANDBOX_PORT (12113);
 * ZENDESK_SANDBOX_PORT (12115); ODOO_API_KEY to read a real Odoo (else the key in .local/secrets.json).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Stripe from 'stripe';
import { resolveStage, type StageConfig } from '../lib/config/stages';
import { OdooRecordReader, type OdooPartner } from '../local/dev-environment/odoo-record-reader';
import { SANDBOX_ZENDESK_API_EMAIL, SANDBOX_ZENDESK_API_TOKEN } from '../local/sandboxes/zendesk/server';
// Stripe's own sample objects with a story's ids, lines and times: the objects the billing flows read back from the sandbox.
import { customerObject, invoiceObject, invoicePaymentObject, type StoryLine, subscriptionObject } from '../test/fixtures/stripe/billing-story';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const baseUrl = `http://127.0.0.1:${process.env.LOCAL_PORT ?? 4000}`;
const { config } = resolveStage('local');

interface Step {
  readonly title: string;
  readonly event: ReturnType<typeof stripeEvent>;
  /** What Odoo should show once the step has been applied. */
  readonly expect: (partner: OdooPartner | undefined) => boolean;
}

const runId = Date.now().toString(36);
const acme = customer(`cus_demo_acme_${runId}`, 'Acme Analytics GmbH', 'billing@acme-analytics.example', 'Berlin');
const globex = customer(`cus_demo_globex_${runId}`, 'Globex Corporation', 'ap@globex.example', 'Springfield');
const initech = customer(`cus_demo_initech_${runId}`, 'Initech LLC', 'finance@initech.example', 'Austin');
const acmeRenamed = { ...acme, name: 'Acme Analytics SE', email: 'invoices@acme-analytics.example' };
const now = Math.floor(Date.now() / 1000);
const globexCreated = stripeEvent('customer.created', globex, now - 50);

const steps: Step[] = [
  { title: 'Acme signs up', event: stripeEvent('customer.created', acme, now - 60), expect: (partner) => partner?.name === acme.name },
  { title: 'Globex signs up', event: globexCreated, expect: (partner) => partner?.name === globex.name },
  { title: 'Stripe retries the Globex webhook (same event id)', event: globexCreated, expect: (partner) => partner?.name === globex.name },
  { title: 'Acme renames itself and changes its billing email', event: stripeEvent('customer.updated', acmeRenamed, now - 30), expect: (partner) => partner?.name === acmeRenamed.name },
  { title: 'A late, older Acme update arrives out of order', event: stripeEvent('customer.updated', { ...acme, name: 'Acme (stale)' }, now - 40), expect: (partner) => partner?.name === acmeRenamed.name },
  { title: 'Initech signs up', event: stripeEvent('customer.created', initech, now - 20), expect: (partner) => partner?.name === initech.name },
  { title: 'Initech closes its account', event: stripeEvent('customer.deleted', { id: initech.id, object: 'customer', deleted: true }, now - 10), expect: (partner) => partner?.active === false },
];

const secrets = JSON.parse(readFileSync(join(PROJECT_ROOT, '.local', 'secrets.json'), 'utf8')) as Record<string, string>;
const signingSecret = secrets[config.stripe.webhookSecretName];
if (!signingSecret) throw new Error(`.local/secrets.json has no "${config.stripe.webhookSecretName}": start the stack once with npm start`);
const stripeSigningSecret: string = signingSecret;
const runtime = await fetch(`${baseUrl}/_local/endpoints`).then(
  (response) => response.json() as Promise<{ odoo: { url: string; database: string; login: string } }>,
  () => {
    console.error(`No local stack at ${baseUrl}: run \`npm start\` first (or set LOCAL_PORT).`);
    process.exit(1);
  },
);
const odoo = new OdooRecordReader({ ...runtime.odoo, apiKey: process.env.ODOO_API_KEY ?? secrets[config.odoo.apiKeySecretName] ?? '' });

console.log(`Demo: ${steps.length} Stripe webhooks → ${baseUrl}/webhooks/stripe → … → Odoo ${runtime.odoo.url} (${runtime.odoo.database})\n`);
for (const [index, step] of steps.entries()) {
  const payload = JSON.stringify(step.event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: stripeSigningSecret, timestamp: Math.floor(Date.now() / 1000) });
  const startedAt = Date.now();
  const response = await fetch(`${baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'Stripe-Signature': header }, body: payload });
  console.log(`${progressBar(index + 1, steps.length)} ${step.title}`);
  console.log(`    POST ${step.event.type} ${step.event.id} → HTTP ${response.status} ${await response.text()}`);
  const customerId = (step.event.data.object as { id: string }).id;
  const flowed = await waitForFlowsToSettle(`stripe:${step.event.id}`);
  if (flowed) console.log(`    bus: ${flowed.detailType} (correlation id ${flowed.correlationId}) → rule ${flowed.matchedRules.join(', ') || '(none)'} → queue → consumer`);
  const partner = await waitForOdoo(() => odoo.partnerByExternalId(`saas_sync.stripe_customer_${customerId}`), step.expect);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(partner ? `    Odoo res.partner #${partner.id}: ${describe(partner)}  (${seconds}s)` : `    Odoo: no partner yet after ${seconds}s: see the ops console ${baseUrl}/`);
  console.log();
}
const duplicates = (await Promise.all([acme, globex, initech].map((entry) => odoo.partnersWithRef(entry.id)))).filter((partners) => partners.length !== 1);
console.log(duplicates.length === 0 ? 'Every Stripe customer is exactly one Odoo partner.' : `Unexpected: ${duplicates.length} customers do not have exactly one partner.`);
if (config.paypal !== undefined) await paypalStory();
if (config.hubspot !== undefined) await crmStory(config.hubspot);
if (config.zendesk !== undefined) await supportStory(config.zendesk);
console.log(`Flows, queues, DLQ and events: ${baseUrl}/`);

/**
 * A PayPal checkout, through the local stack: the order and its capture seeded in the PayPal sandbox (the billing
 * flow reads the order's items from it), the capture's webhook signed and delivered by the sandbox as PayPal
 * would, then the Odoo invoice and payment it became; PayPal's redelivery of the same event changes nothing.
 */
async function paypalStory(): Promise<void> {
  const paypalUrl = `http://127.0.0.1:${process.env.PAYPAL_SANDBOX_PORT ?? 12112}`;
  const usd = (value: string) => ({ currency_code: 'USD', value });
  // PayPal ids: 17 upper-case letters and digits, unique per run.
  const paypalId = (prefix: string, length = 17) => `${prefix}${runId.toUpperCase()}`.padEnd(length, '0').slice(0, length);
  const payerId = paypalId('DP', 13);
  const order = {
    id: paypalId('8O'),
    status: 'COMPLETED',
    create_time: new Date(Date.now() - 120_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    payer: { payer_id: payerId, email_address: 'ada@lovelace-analytics.example', name: { given_name: 'Ada', surname: 'Lovelace' }, address: { country_code: 'GB' } },
    purchase_units: [
      {
        reference_id: 'default',
        amount: { ...usd('68.90'), breakdown: { item_total: usd('68.90') } },
        items: [
          { name: 'Analytics seat', quantity: '2', unit_amount: usd('24.50'), sku: 'SEAT' },
          { name: 'Onboarding', quantity: '1', unit_amount: usd('19.90') },
        ],
      },
    ],
  };
  const capturedAt = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const capture = {
    id: paypalId('5C'),
    status: 'COMPLETED',
    amount: usd('68.90'),
    final_capture: true,
    seller_receivable_breakdown: { gross_amount: usd('68.90'), paypal_fee: usd('2.89'), net_amount: usd('66.01') },
    supplementary_data: { related_ids: { order_id: order.id } },
    create_time: capturedAt,
    update_time: capturedAt,
    links: [{ rel: 'up', method: 'GET', href: `https://api-m.sandbox.paypal.com/v2/checkout/orders/${order.id}` }],
  };
  const event = { id: `WH-DEMO-${runId.toUpperCase()}`, event_version: '1.0', create_time: capturedAt, resource_type: 'capture', event_type: 'PAYMENT.CAPTURE.COMPLETED', summary: 'Payment completed for $ 68.90 USD', resource: capture };

  console.log(`\nPayPal: a checkout order of ${order.purchase_units[0]!.amount.value} USD, captured → ${baseUrl}/webhooks/paypal → … → Odoo\n`);
  for (const [kind, objects] of [['order', [order]], ['capture', [capture]]] as const) {
    const seeded = await fetch(`${paypalUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify({ kind, objects }) }).catch(() => undefined);
    if (seeded?.status !== 200) {
      console.log(`    No PayPal sandbox at ${paypalUrl} (set PAYPAL_SANDBOX_PORT as npm start had it): PayPal story skipped.`);
      return;
    }
  }
  console.log(`    PayPal sandbox holds order ${order.id} (2 × 24.50 + 19.90) and capture ${capture.id}`);
  const deliveries = [
    'PayPal delivers PAYMENT.CAPTURE.COMPLETED, signed with its certificate’s key',
    'PayPal delivers it again (a new transmission of the same event)',
  ];
  for (const [index, title] of deliveries.entries()) {
    const startedAt = Date.now();
    const delivered = (await fetch(`${paypalUrl}/_sandbox/deliver`, { method: 'POST', body: JSON.stringify({ targetUrl: `${baseUrl}/webhooks/paypal`, event }) }).then((response) => response.json())) as { status: number; body: string };
    console.log(`${progressBar(index + 1, deliveries.length)} ${title}`);
    console.log(`    POST ${event.event_type} ${event.id} → HTTP ${delivered.status} ${delivered.body}`);
    const flowed = await waitForFlowsToSettle(`paypal:${event.id}`);
    if (flowed) console.log(`    bus: ${flowed.detailType} (correlation id ${flowed.correlationId}) → rule ${flowed.matchedRules.join(', ') || '(none)'} → queue → consumer`);
    const books = await waitForBooks(capture.id);
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    if (books.invoices.length === 0) {
      console.log(`    Odoo: no invoice ${capture.id} yet after ${seconds}s: see the ops console ${baseUrl}/`);
      continue;
    }
    for (const invoice of books.invoices) {
      console.log(`    Odoo account.move #${invoice.id} ${String(invoice.name)}: ${invoice.state}, ${invoice.payment_state}, total ${invoice.amount_total} ${invoice.currency_id[1]}, customer "${invoice.partner_id[1]}", ref ${capture.id}  (${seconds}s)`);
    }
    for (const payment of books.payments) {
      console.log(`    Odoo account.payment #${payment.id}: ${payment.payment_type} ${payment.amount} ${payment.currency_id[1]}, ${payment.state}, memo ${capture.id}, reconciled with move ${payment.reconciled_invoice_ids.join(', ') || '(none)'}`);
    }
    console.log();
  }
  const books = await readBooks(capture.id);
  const exact = books.invoices.length === 1 && books.payments.length === 1 && books.invoices[0]!.amount_total === 68.9 && books.payments[0]!.reconciled_invoice_ids.includes(books.invoices[0]!.id);
  console.log(exact ? 'The PayPal capture is exactly one paid Odoo invoice of 68.90 USD and one payment reconciled with it.' : `Unexpected: ${books.invoices.length} invoices and ${books.payments.length} payments for capture ${capture.id}.`);
}

/**
 * One customer across CRM and billing: a company and its contact created in the HubSpot sandbox, announced by a
 * batch it signs as HubSpot does → crm-sync's company partner with the contact as its child; then the same company
 * as a Stripe customer whose metadata names the HubSpot company → the one-customer resolution finds the partner the
 * CRM made, and Odoo still has one company partner of that name.
 */
async function crmStory(hubspot: { portalId: string; appId: string }): Promise<void> {
  const hubspotUrl = `http://127.0.0.1:${process.env.HUBSPOT_SANDBOX_PORT ?? 12113}`;
  const serial = Number.parseInt(runId, 36) % 1_000_000_000;
  const company = { id: serial, properties: { name: `Lovelace Analytics ${runId}`, domain: `lovelace-${runId}.example`, city: 'London', country: 'United Kingdom' } };
  const contact = { id: serial + 1, properties: { firstname: 'Ada', lastname: 'Lovelace', email: `ada@lovelace-${runId}.example` } };
  const seeded = await Promise.all([
    fetch(`${hubspotUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify({ type: 'companies', records: [company] }) }),
    fetch(`${hubspotUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify({ type: 'contacts', records: [contact] }) }),
  ]).catch(() => undefined);
  if (seeded === undefined || seeded.some((response) => response.status !== 200)) {
    console.log(`\n    No HubSpot sandbox at ${hubspotUrl} (set HUBSPOT_SANDBOX_PORT as npm start had it): CRM story skipped.`);
    return;
  }
  await fetch(`${hubspotUrl}/_sandbox/associations`, { method: 'POST', body: JSON.stringify({ from: 'contacts', to: 'companies', links: [{ fromId: contact.id, toId: company.id, primary: true }] }) });
  const thin = (subscriptionType: string, objectId: number, offset: number) => ({
    eventId: serial + offset, subscriptionId: 51, portalId: Number(hubspot.portalId), appId: Number(hubspot.appId), occurredAt: Date.now() - 5_000 + offset,
    subscriptionType, attemptNumber: 0, objectId, changeSource: 'CRM_UI', sourceId: 'userId:1',
  });

  console.log(`\nOne customer across CRM and billing: HubSpot company "${company.properties.name}" → ${baseUrl}/webhooks/hubspot → … → Odoo\n`);
  let startedAt = Date.now();
  const delivered = (await fetch(`${hubspotUrl}/_sandbox/deliver`, {
    method: 'POST',
    body: JSON.stringify({ targetUrl: `${baseUrl}/webhooks/hubspot`, events: [thin('contact.creation', contact.id, 2), thin('company.creation', company.id, 1)] }),
  }).then((response) => response.json())) as { status: number; body: string };
  console.log(`${progressBar(1, 2)} HubSpot delivers a signed batch: the contact's creation, then its company's (out of order)`);
  console.log(`    POST company.creation + contact.creation → HTTP ${delivered.status} ${delivered.body}`);
  const partner = await waitForOdoo(() => odoo.partnerByExternalId(`saas_sync.hubspot_account_${company.id}`), (found) => found !== undefined);
  // The contact came first and waits (retried) for its company's partner: it follows within the flow's retry delay.
  const childrenOf = (id: number) => odoo.searchRead<{ name: string; email: string | false }>('res.partner', [['parent_id', '=', id]], ['name', 'email']);
  let children = partner ? await childrenOf(partner.id) : [];
  for (const deadline = Date.now() + 30_000; partner && children.length === 0 && Date.now() < deadline; children = await childrenOf(partner.id)) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
  console.log(partner ? `    Odoo res.partner #${partner.id}: ${describe(partner)}, contacts: ${children.map((child) => `${child.name} <${String(child.email)}>`).join(', ') || '(none yet)'}  (${((Date.now() - startedAt) / 1000).toFixed(1)}s)` : '    Odoo: no company partner yet: see the ops console');
  console.log();

  startedAt = Date.now();
  const subscriber = { ...customer(`cus_demo_lovelace_${runId}`, company.properties.name, `billing@lovelace-${runId}.example`, 'London'), metadata: { hubspot_company_id: String(company.id) } };
  const event = stripeEvent('customer.created', subscriber, Math.floor(Date.now() / 1000));
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: stripeSigningSecret, timestamp: Math.floor(Date.now() / 1000) });
  const response = await fetch(`${baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'Stripe-Signature': header }, body: payload });
  console.log(`${progressBar(2, 2)} The company subscribes in Stripe; its customer's metadata names the HubSpot company`);
  console.log(`    POST customer.created ${event.id} → HTTP ${response.status} ${await response.text()}`);
  await waitForFlowsToSettle(`stripe:${event.id}`);
  const companies = await odoo.searchRead<{ id: number }>('res.partner', [['name', '=', company.properties.name], ['is_company', '=', true]], ['id']);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(
    companies.length === 1 && companies[0]!.id === partner?.id
      ? `    Odoo: still one company partner #${partner.id} for "${company.properties.name}", now the Stripe customer's too  (${seconds}s)`
      : `    Unexpected: ${companies.length} company partners named "${company.properties.name}"  (${seconds}s)`,
  );
}

interface ZendeskOrganization {
  id: number;
  name: string;
  tags: string[];
  organization_fields: Record<string, string | null>;
}
interface ZendeskTicket {
  id: number;
  priority: string | null;
  status: string;
  tags: string[];
  comments: { public: boolean; body: string }[];
}

/**
 * The support story through the local stack: Stripe webhooks → billing and entitlements flows → the customer's Zendesk
 * organization (read back from the Zendesk sandbox's API); a ticket opened in the sandbox → its signed event
 * subscription → the ticket flow → the ticket escalated in Zendesk and noted in the partner's Odoo chatter.
 */
async function supportStory(zendesk: NonNullable<StageConfig['zendesk']>): Promise<void> {
  const stripeUrl = `http://127.0.0.1:${process.env.STRIPE_SANDBOX_PORT ?? 12111}`;
  const zendeskUrl = `http://127.0.0.1:${process.env.ZENDESK_SANDBOX_PORT ?? 12115}`;
  const fields = zendesk.organizationFields;
  const t0 = Math.floor(Date.now() / 1000) - 600;
  const ids = { customer: `cus_demo_zeta_${runId}`, subscription: `sub_demo_zeta_${runId}`, invoice: `in_demo_zeta_${runId}`, payment: `inpay_demo_zeta_${runId}` };
  const companyName = `Zeta Analytics ${runId}`;
  const lines: StoryLine[] = [{ price: 'price_pro_monthly', description: 'Pro (monthly)', quantity: 5, unitAmount: 2000 }];
  const stripeCustomer = { ...customerObject(ids.customer, { name: companyName, email: `billing@zeta-${runId}.example`, currency: 'usd' }), metadata: { source: 'npm run demo' } };
  const subscriptionWith = (status: string) => subscriptionObject(ids.subscription, { customer: ids.customer, currency: 'usd', status, lines, created: t0 + 10 });
  const openInvoice = invoiceObject(ids.invoice, { customer: ids.customer, customerName: companyName, currency: 'usd', lines, subscription: ids.subscription, finalizedAt: t0 + 20 });
  const payment = invoicePaymentObject(ids.payment, { invoice: ids.invoice, currency: 'usd', amount: 10000, paymentIntent: `pi_demo_zeta_${runId}`, paidAt: t0 + 300 });
  // What Stripe's API holds at the end of the story (the flows read the invoice and the payment back).
  const paidInvoice = invoiceObject(ids.invoice, { customer: ids.customer, customerName: companyName, currency: 'usd', lines, subscription: ids.subscription, finalizedAt: t0 + 20, status: 'paid', attemptCount: 2, paidAt: t0 + 300 });
  const seeded = await fetch(`${stripeUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify([stripeCustomer, subscriptionWith('active'), paidInvoice, payment]) }).catch(() => undefined);
  const zendeskUp = await fetch(`${zendeskUrl}/_sandbox/deliveries`, { method: 'POST', body: '{}' }).catch(() => undefined);
  if (seeded?.status !== 200 || zendeskUp?.status !== 200) {
    console.log(`
    No Stripe sandbox at ${stripeUrl} or Zendesk sandbox at ${zendeskUrl} (set STRIPE_SANDBOX_PORT / ZENDESK_SANDBOX_PORT as npm start had them): support story skipped.`);
    return;
  }
  const zendeskApi = async <T>(path: string): Promise<T> =>
    (await fetch(`${zendeskUrl}${path}`, { headers: { Authorization: `Basic ${Buffer.from(`${SANDBOX_ZENDESK_API_EMAIL}/token:${SANDBOX_ZENDESK_API_TOKEN}`).toString('base64')}` } })).json() as Promise<T>;
  const zendeskSandbox = async <T>(route: string, body: unknown): Promise<T> => (await fetch(`${zendeskUrl}/_sandbox/${route}`, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<T>;
  // The organization's external id is the customer's canonical id: a billing customer that speaks first gets its own.
  const organization = async () => (await zendeskApi<{ organizations: ZendeskOrganization[] }>(`/api/v2/organizations/search?external_id=stripe_customer_${ids.customer}`)).organizations[0];
  const describeOrganization = (found: ZendeskOrganization) => {
    const value = (key: keyof typeof fields) => found.organization_fields[fields[key]] || '—';
    return `Zendesk organization #${found.id} "${found.name}": plan ${value('plan')}, tier ${value('tier')}, standing ${value('standing')} since ${value('standingSince')}, MRR ${value('mrr')}, Odoo partner #${value('odooPartnerId')}, tags ${found.tags.join(' ')}`;
  };
  const steps = 5;
  let step = 0;
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) failures.push(what);
    return ok;
  };

  console.log(`
Support: "${companyName}" subscribes, misses a payment and asks for help → Zendesk ${zendeskUrl} and Odoo
`);
  const deliverToStack = async (title: string, events: ReturnType<typeof stripeEvent>[]) => {
    console.log(`${progressBar(++step, steps)} ${title}`);
    for (const event of events) {
      const response = await postStripe(event);
      console.log(`    POST ${event.type} ${event.id} → HTTP ${response.status}`);
      await waitForFlowsToSettle(`stripe:${event.id}`);
    }
  };

  let startedAt = Date.now();
  await deliverToStack('Zeta subscribes to Pro (5 seats × 20.00 USD a month)', [
    stripeEvent('customer.created', stripeCustomer, t0),
    stripeEvent('customer.subscription.created', subscriptionWith('active'), t0 + 10),
  ]);
  let found = await waitUntil(organization, (candidate) => candidate?.organization_fields[fields.tier] === 'premium');
  if (check(found?.organization_fields[fields.tier] === 'premium', 'no Zendesk organization with the premium tier')) console.log(`    ${describeOrganization(found!)}  (${seconds(startedAt)})`);
  console.log(`    read back: GET ${zendeskUrl}/api/v2/organizations/${found?.id ?? '?'} (Basic ${SANDBOX_ZENDESK_API_EMAIL}/token:${SANDBOX_ZENDESK_API_TOKEN})
`);

  startedAt = Date.now();
  await deliverToStack('The monthly payment fails (card declined); Stripe marks the subscription past due', [
    stripeEvent('invoice.finalized', openInvoice, t0 + 20),
    stripeEvent('invoice.payment_failed', { ...openInvoice, attempt_count: 1, attempted: true }, t0 + 30),
    stripeEvent('customer.subscription.updated', subscriptionWith('past_due'), t0 + 31),
  ]);
  found = await waitUntil(organization, (candidate) => candidate?.organization_fields[fields.standing] === 'past_due');
  if (check(found?.organization_fields[fields.standing] === 'past_due', 'the organization is not past due')) console.log(`    ${describeOrganization(found!)}  (${seconds(startedAt)})
`);

  startedAt = Date.now();
  console.log(`${progressBar(++step, steps)} Zeta's admin opens a Zendesk ticket; Zendesk's event subscription delivers it, signed, to the stack`);
  const requester = await zendeskSandbox<{ user: { id: number } }>('users', { name: 'Zoe Admin', email: `zoe@zeta-${runId}.example`, organizationId: found?.id ?? null });
  const opened = await zendeskSandbox<{ ticket: { id: number }; delivery: { status: number } | null }>('tickets', { subject: 'Cannot export reports', requesterId: requester.user.id, organizationId: found?.id ?? null });
  const ticketId = opened.ticket.id;
  console.log(`    ticket #${ticketId} "Cannot export reports" → POST /webhooks/zendesk → HTTP ${opened.delivery?.status ?? '(not delivered: no event subscription)'}`);
  const ticket = await waitUntil(
    async () => (await zendeskSandbox<{ ticket: ZendeskTicket }>('ticket', { id: ticketId })).ticket,
    (candidate) => candidate?.priority === 'high' && candidate.comments.some((comment) => !comment.public),
  );
  const internalNote = ticket?.comments.find((comment) => !comment.public)?.body;
  if (check(ticket?.priority === 'high' && internalNote !== undefined, 'the ticket was not escalated')) {
    console.log(`    Zendesk ticket #${ticketId}: priority ${ticket!.priority}, tags ${ticket!.tags.join(' ') || '(none)'}  (${seconds(startedAt)})`);
    console.log(`    internal note for the agent: ${internalNote}`);
  }
  console.log();

  startedAt = Date.now();
  console.log(`${progressBar(++step, steps)} Finance opens the customer in Odoo: the chatter shows the ticket`);
  const partnerId = Number(found?.organization_fields[fields.odooPartnerId]);
  const supportNotes = async () => {
    const messages = await odoo.searchRead<{ body: string | false }>('mail.message', [['model', '=', 'res.partner'], ['res_id', '=', partnerId]], ['body'], { order: 'id' });
    return messages.map((message) => String(message.body).replace(/<[^>]+>/g, '')).filter((body) => body.includes(`Support ticket #${ticketId}`));
  };
  const notes = await waitUntil(supportNotes, (candidate) => (candidate?.length ?? 0) > 0);
  if (check((notes?.length ?? 0) > 0, 'no support note in the Odoo chatter')) console.log(`    Odoo res.partner #${partnerId} chatter: ${notes![0]}  (${seconds(startedAt)})
`);

  startedAt = Date.now();
  await deliverToStack('Stripe retries the payment and it succeeds; the subscription is active again', [
    stripeEvent('invoice_payment.paid', payment, t0 + 300),
    stripeEvent('customer.subscription.updated', subscriptionWith('active'), t0 + 301),
  ]);
  found = await waitUntil(organization, (candidate) => candidate?.organization_fields[fields.standing] === 'active');
  if (check(found?.organization_fields[fields.standing] === 'active', 'the standing was not restored')) console.log(`    ${describeOrganization(found!)}  (${seconds(startedAt)})
`);

  console.log(failures.length === 0 ? 'The support story played as expected: tier, past due, escalation, Odoo chatter, restored.' : `Unexpected in the support story: ${failures.join('; ')}.`);
}

async function postStripe(event: ReturnType<typeof stripeEvent>): Promise<Response> {
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: stripeSigningSecret, timestamp: Math.floor(Date.now() / 1000) });
  return fetch(`${baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'Stripe-Signature': header }, body: payload });
}

/** Reads until `done` says so, or 30 s. */
async function waitUntil<T>(read: () => Promise<T | undefined>, done: (value: T | undefined) => boolean): Promise<T | undefined> {
  const deadline = Date.now() + 30_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    value = await read();
  }
  return value;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

interface DemoInvoice {
  id: number;
  name: string | false;
  state: string;
  payment_state: string;
  amount_total: number;
  currency_id: [number, string];
  partner_id: [number, string];
}
interface DemoPayment {
  id: number;
  payment_type: string;
  state: string;
  amount: number;
  currency_id: [number, string];
  reconciled_invoice_ids: number[];
}

async function readBooks(ref: string): Promise<{ invoices: DemoInvoice[]; payments: DemoPayment[] }> {
  const invoices = await odoo.searchRead<DemoInvoice>('account.move', [['ref', '=', ref], ['move_type', '=', 'out_invoice']], ['name', 'state', 'payment_state', 'amount_total', 'currency_id', 'partner_id']);
  const payments = await odoo.searchRead<DemoPayment>('account.payment', [['memo', '=', ref]], ['payment_type', 'state', 'amount', 'currency_id', 'reconciled_invoice_ids']);
  return { invoices, payments };
}

/** Until the capture's invoice is paid in Odoo (the payment may wait for the invoice's write lease), or 30 s. */
async function waitForBooks(ref: string): Promise<{ invoices: DemoInvoice[]; payments: DemoPayment[] }> {
  const deadline = Date.now() + 30_000;
  let books = await readBooks(ref);
  while (!(books.payments.length > 0 && books.invoices.some((invoice) => invoice.payment_state === 'paid' || invoice.payment_state === 'in_payment')) && Date.now() < deadline) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    books = await readBooks(ref);
  }
  return books;
}

function customer(id: string, name: string, email: string, city: string) {
  return {
    id,
    object: 'customer',
    name,
    email,
    phone: '+1 555 0100',
    address: { line1: '1 Market Street', line2: null, city, postal_code: '10001', state: null, country: 'US' },
    created: Math.floor(Date.now() / 1000) - 3600,
    currency: 'usd',
    delinquent: false,
    livemode: false,
    metadata: { source: 'npm run demo' },
  };
}

function stripeEvent(type: string, object: Record<string, unknown>, created: number) {
  return {
    id: `evt_demo_${type.replace('.', '_')}_${String(object['id'])}_${created}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

interface RuntimeState {
  flows: { targets: { queue?: { visible: number; inFlight: number; delayed: number } }[] }[];
  recentEvents: { detailType: string; correlationId?: string; matchedRules: string[] }[];
}

/** Until the webhook's canonical event is on the bus and every flow queue is empty again: the consumer has handled it. */
async function waitForFlowsToSettle(correlationId: string): Promise<RuntimeState['recentEvents'][number] | undefined> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const state = (await fetch(`${baseUrl}/_local/state`).then((response) => response.json())) as RuntimeState;
    const event = state.recentEvents.find((candidate) => candidate.correlationId === correlationId);
    const busy = state.flows.some((flow) => flow.targets.some(({ queue }) => queue && queue.visible + queue.inFlight + queue.delayed > 0));
    if (event && !busy) return event;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  return undefined;
}

async function waitForOdoo(read: () => Promise<OdooPartner | undefined>, done: (partner: OdooPartner | undefined) => boolean): Promise<OdooPartner | undefined> {
  const deadline = Date.now() + 20_000;
  let partner = await read();
  while (!done(partner) && Date.now() < deadline) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    partner = await read();
  }
  return partner;
}

function describe(partner: OdooPartner): string {
  return `"${partner.name}" ref=${String(partner.ref)} email=${String(partner.email)}${partner.active ? '' : ' [archived]'}`;
}

function progressBar(done: number, total: number): string {
  const width = 20;
  const filled = Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}
