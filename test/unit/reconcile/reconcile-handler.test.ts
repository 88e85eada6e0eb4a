import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startOdooSandbox } from '../../../local/sandboxes/odoo/server';
import { SANDBOX_PAYPAL_CLIENT_ID, SANDBOX_PAYPAL_CLIENT_SECRET, startPaypalSandbox } from '../../../local/sandboxes/paypal/server';
import { startStripeSandbox } from '../../../local/sandboxes/stripe/server';

/**
 * The reconcile function as deployed: its environment names the providers the stage runs (PROVIDER_SYSTEMS) and
 * their secrets, the handler reconciles each against Odoo (here the sandboxes of Odoo, Stripe and PayPal).
 */

const eventBridge = mockClient(EventBridgeClient);
const secretsManager = mockClient(SecretsManagerClient);
const SECRETS: Record<string, string> = {
  'test/odoo-api-key': 'handler-odoo-key',
  'test/stripe-api-key': 'sk_test_handler',
  'test/paypal-api-credentials': JSON.stringify({ clientId: SANDBOX_PAYPAL_CLIENT_ID, clientSecret: SANDBOX_PAYPAL_CLIENT_SECRET }),
};

const odoo = await startOdooSandbox({ port: 0, apiKey: SECRETS['test/odoo-api-key'] });
const stripe = await startStripeSandbox({ port: 0, apiKey: SECRETS['test/stripe-api-key'] });
const paypal = await startPaypalSandbox({ port: 0, modulusLength: 1024 });
Object.assign(process.env, {
  ODOO_URL: odoo.url,
  ODOO_DB: 'odoo18',
  ODOO_LOGIN: 'admin',
  ODOO_TRANSPORT: 'auto',
  ODOO_API_KEY_SECRET_NAME: 'test/odoo-api-key',
  ODOO_MAX_REQUESTS_PER_SECOND: '50',
  ODOO_MAX_CONCURRENT_REQUESTS: '4',
  EVENT_BUS_NAME: 'sync-bus',
  PROVIDER_SYSTEMS: 'stripe,paypal',
  STRIPE_API_KEY_SECRET_NAME: 'test/stripe-api-key',
  STRIPE_API_URL: stripe.url,
  PAYPAL_API_CREDENTIALS_SECRET_NAME: 'test/paypal-api-credentials',
  PAYPAL_API_URL: paypal.url,
  POWERTOOLS_METRICS_NAMESPACE: 'OdooSaasSync',
  POWERTOOLS_SERVICE_NAME: 'reconcile',
});
secretsManager.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => ({ SecretString: SECRETS[input.SecretId] }));
const { handler, ReconciliationRunError } = await import('../../../functions/reconcile/handler');
const { metrics } = await import('../../../functions/platform/powertools');

const context = { functionName: 'reconcile', awsRequestId: 'req-1' } as Context;
let logged: string[] = [];
const CAPTURE = {
  id: '5HANDLER000000001',
  status: 'COMPLETED',
  amount: { currency_code: 'JPY', value: '4800' },
  create_time: '2026-11-03T09:00:00Z',
  supplementary_data: { related_ids: { order_id: '8HANDLERORDER0001' } },
};

describe('the reconcile function', () => {
  beforeAll(() => {
    vi.spyOn(metrics, 'publishStoredMetrics').mockReturnValue(metrics);
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        logged.push(String(chunk));
        return true;
      });
    }
  });
  beforeEach(() => {
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    paypal.reset();
    paypal.seed('capture', [CAPTURE]);
    logged = [];
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await Promise.all([odoo.close(), stripe.close(), paypal.close()]);
  });

  it('reconciles every provider the stage runs and reports the drift of each under its name', async () => {
    const report = await handler({ from: '2026-11-01', to: '2026-11-30' }, context);
    expect(report.providers.map(({ system, report: one, error }) => ({ system, drift: one?.summary.drift, error }))).toEqual([
      { system: 'stripe', drift: 0, error: undefined },
      { system: 'paypal', drift: 2, error: undefined },
    ]);
    expect(report.items.map((item) => `${item.system} ${item.kind} ${item.documentType} ${item.providerId} ${String(item.expected)} ${item.currency}`)).toEqual([
      'paypal missing_in_odoo invoice 5HANDLER000000001 4800 jpy',
      'paypal missing_in_odoo payment 5HANDLER000000001 4800 jpy',
    ]);
    expect(report.summary).toMatchObject({ drift: 2, byKind: { missing_in_odoo: 2 } });
  });

  it('re-emits the missing capture onto the bus as the payment its webhook would have been', async () => {
    const report = await handler({ from: '2026-11-01', to: '2026-11-30', reemit: true }, context);
    expect(report.providers[1]?.report?.reemit).toEqual({ emitted: ['5HANDLER000000001'], failed: [] });
    const details = eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []).map((entry) => JSON.parse(entry.Detail!) as { id: string });
    expect(details.map((detail) => detail.id)).toEqual(['paypal:payment:5HANDLER000000001:payment.succeeded']);
  });

  it('fails the run when a provider cannot be read, after reconciling the others', async () => {
    await fetch(`${paypal.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ status: 500, remaining: 50, pathPrefix: '/v1/reporting/' }) });
    await expect(handler({ from: '2026-11-01', to: '2026-11-30' }, context)).rejects.toThrow(ReconciliationRunError);
    const finished = logged.map((line) => line.trim()).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.message === 'reconciliation finished');
    expect(finished?.providers).toEqual([
      { system: 'stripe', summary: expect.objectContaining({ drift: 0 }) },
      { system: 'paypal', error: expect.stringContaining('GET /v1/reporting/transactions') },
    ]);
  }, 60_000);
});
