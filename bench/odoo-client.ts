/**
 * Odoo calls per operation, and the client's own overhead per call against a raw HTTP request to the
 * same Odoo sandbox. Run: `npm run bench:odoo`. Only 127.0.0.1; bounded in count.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  createAndPostInvoice,
  createCreditNote,
  minorToOdooAmount,
  OdooClient,
  registerPayment,
  resetDatabaseGuards,
  upsertByExternalId,
} from '../functions/erp/odoo';
import { startOdooSandbox } from '../local/sandboxes/odoo/server';

const API_KEY = 'bench-key';
const OVERHEAD_CALLS = Number(process.env.BENCH_CALLS ?? 10_000);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function callsPerOperation(version: '18.0' | '19.0') {
  const sandbox = await startOdooSandbox({ version, apiKey: API_KEY });
  resetDatabaseGuards();
  const client = new OdooClient({
    connection: { url: sandbox.url, database: `odoo${version.split('.')[0]}`, login: 'admin', ratePerSecond: 100_000 },
    apiKey: { get: async () => API_KEY, invalidate: () => undefined },
  });
  const measure = async (run: () => Promise<unknown>) => {
    client.resetCallCounts();
    await run();
    return Object.values(client.callCounts()).reduce((sum, count) => sum + count, 0);
  };
  const partnerValues = { name: 'Bench Customer', ref: 'cus_bench', is_company: true };
  // Cold: the transport probe (and, over JSON-RPC, the login) happen once per container.
  const cold = await measure(() => upsertByExternalId(client, 'res.partner', 'saas_sync.stripe_customer_cus_cold', partnerValues));
  const newCustomer = await measure(() => upsertByExternalId(client, 'res.partner', 'saas_sync.stripe_customer_cus_new', partnerValues));
  const { id: partnerId } = await upsertByExternalId(client, 'res.partner', 'saas_sync.stripe_customer_cus_known', partnerValues);
  const knownCustomer = await measure(() => upsertByExternalId(client, 'res.partner', 'saas_sync.stripe_customer_cus_known', partnerValues, partnerId));
  const invoiceVals = {
    move_type: 'out_invoice',
    partner_id: partnerId,
    ref: 'in_bench',
    invoice_date: '2026-11-01',
    invoice_line_ids: [[0, 0, { name: 'Pro plan', quantity: 1, price_unit: minorToOdooAmount(4999, 2), tax_ids: [[6, 0, []]] }]],
  };
  let invoiceId = 0;
  const invoice = await measure(async () => {
    invoiceId = (await createAndPostInvoice(client, invoiceVals)).id;
  });
  const invoiceNoReadBack = await measure(() => createAndPostInvoice(client, { ...invoiceVals, ref: 'in_bench2' }, { readBack: false }));
  const payment = await measure(() => registerPayment(client, invoiceId, { amount: minorToOdooAmount(4999, 2), paymentDate: '2026-11-02', communication: 'ch_bench' }));
  const creditNote = await measure(() => createCreditNote(client, invoiceId, { reason: 'bench refund', date: '2026-11-03', journalId: 1 }));
  const transport = await client.transportKind();
  await sandbox.close();
  return { version, transport, cold, newCustomer, knownCustomer, invoice, invoiceNoReadBack, payment, creditNote };
}

/** The same search_read through the client and as a bare fetch of the identical JSON-RPC body. */
async function overhead() {
  const sandbox = await startOdooSandbox({ version: '18.0', apiKey: API_KEY });
  resetDatabaseGuards();
  const client = new OdooClient({
    connection: { url: sandbox.url, database: 'odoo18', login: 'admin', transport: 'jsonrpc', ratePerSecond: 1_000_000 },
    apiKey: { get: async () => API_KEY, invalidate: () => undefined },
  });
  const params = { domain: [['id', '=', 3]], fields: ['name'] };
  await client.call('res.partner', 'search_read', params); // login + warm-up
  const rawBody = JSON.stringify({
    jsonrpc: '2.0',
    method: 'call',
    id: 1,
    params: { service: 'object', method: 'execute_kw', args: ['odoo18', 2, API_KEY, 'res.partner', 'search_read', [[['id', '=', 3]]], { fields: ['name'] }] },
  });
  const raw = async () => {
    const response = await fetch(`${sandbox.url}/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: rawBody });
    const json = (await response.json()) as { error?: unknown };
    if (json.error) throw new Error(JSON.stringify(json.error));
  };
  const viaClient = () => client.call('res.partner', 'search_read', params);
  // Interleave the two, call by call, so a change in the machine's load hits both alike; compare medians.
  const rawTimes: number[] = [];
  const clientTimes: number[] = [];
  for (let i = 0; i < OVERHEAD_CALLS; i++) {
    let started = performance.now();
    await raw();
    rawTimes.push((performance.now() - started) * 1000);
    started = performance.now();
    await viaClient();
    clientTimes.push((performance.now() - started) * 1000);
  }
  await sandbox.close();
  return { raw: median(rawTimes), client: median(clientTimes) };
}

const cpu = os.cpus();
console.log(`Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node.js ${process.version}\n`);
console.log('Odoo HTTP calls per operation (warm container):\n');
console.log('| Odoo | transport | first call of a cold container (upsert) | upsert new customer | upsert known customer | invoice create + post + read | invoice create + post | payment | credit note |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const version of ['18.0', '19.0'] as const) {
  const r = await callsPerOperation(version);
  console.log(`| ${r.version} | ${r.transport} | ${r.cold} | ${r.newCustomer} | ${r.knownCustomer} | ${r.invoice} | ${r.invoiceNoReadBack} | ${r.payment} | ${r.creditNote} |`);
}
const { raw, client } = await overhead();
console.log(`\nClient overhead, res.partner.search_read over JSON-RPC, ${OVERHEAD_CALLS} sequential calls each, interleaved, median per call:\n`);
console.log('| raw fetch | OdooClient.call | overhead |');
console.log('|---:|---:|---:|');
console.log(`| ${raw.toFixed(0)} µs | ${client.toFixed(0)} µs | ${(((client - raw) / raw) * 100).toFixed(1)}% |`);
