/**
 * Reconcile a period by hand: each provider whose credentials are set vs Odoo.
 *
 *   npm run reconcile -- --from 2026-11-01 --to 2026-11-30 [--json] [--reemit]
 *
 * Env: Stripe — STRIPE_API_KEY, STRIPE_API_URL (default https://api.stripe.com; the sandbox's URL locally),
 * STRIPE_ACCOUNT (Connect, optional); PayPal — PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_API_URL (default
 * live; https://api-m.sandbox.paypal.com, or the local sandbox's URL); ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY,
 * ODOO_TRANSPORT (auto | jsonrpc | json2, default auto), EVENT_BUS_NAME (where --reemit publishes). Without
 * --from/--to: yesterday (UTC).
 * Prints a table per provider (JSON with --json). Exit code: 0 no drift, 2 drift, 1 failure (a provider not reconciled).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { parseArgs } from 'node:util';
import { publishCanonicalEvents } from '../functions/platform/event-publisher';
import { OdooClient } from '../functions/erp/odoo/odoo-client';
import type { OdooTransportChoice } from '../functions/erp/odoo/odoo-config';
import { STRIPE_API_VERSION, StripeApi } from '../functions/providers/stripe/stripe-api';
import { PaypalApi } from '../functions/providers/paypal/paypal-api';
import { PaypalProviderLister } from '../functions/providers/paypal/paypal-provider-lister';
import { PaypalReemitter } from '../functions/providers/paypal/paypal-reemitter';
import { OdooReconciliationGateway } from '../functions/reconcile/odoo-reconciliation-reader';
import { periodOf } from '../functions/reconcile/reconcile-event';
import { type ProviderReconciliation, reconcileProviders } from '../functions/reconcile/reconcile-period';
import { formatRunReport } from '../functions/reconcile/report-table';
import { StripeProviderLister } from '../functions/providers/stripe/stripe-provider-lister';
import { StripeReemitter } from '../functions/providers/stripe/stripe-reemitter';

export const EXIT_NO_DRIFT = 0;
export const EXIT_FAILURE = 1;
export const EXIT_DRIFT = 2;

export async function main(argv: string[], env: NodeJS.ProcessEnv, out: (text: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false }, reemit: { type: 'boolean', default: false } },
    strict: true,
  });
  const missing = ['ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY'].filter((name) => !env[name]);
  const paypalSet = Boolean(env.PAYPAL_CLIENT_ID && env.PAYPAL_CLIENT_SECRET);
  if (!env.STRIPE_API_KEY && !paypalSet) missing.unshift('STRIPE_API_KEY (or PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET)');
  if (missing.length > 0) throw new Error(`set ${missing.join(', ')}`);
  const { period, reemit } = periodOf({ from: values.from, to: values.to, reemit: values.reemit }, new Date());

  const odooKey = env.ODOO_API_KEY!;
  const odoo = new OdooClient({
    connection: { url: env.ODOO_URL!, database: env.ODOO_DB!, login: env.ODOO_LOGIN!, transport: (env.ODOO_TRANSPORT ?? 'auto') as OdooTransportChoice },
    apiKey: { get: async () => odooKey, invalidate: () => undefined },
  });
  // --reemit publishes to the bus named by EVENT_BUS_NAME (AWS credentials from the environment; locally
  // AWS_ENDPOINT_URL_EVENTBRIDGE as `npm start` prints it); without it, re-emitting is reported as skipped.
  const busName = env.EVENT_BUS_NAME;
  const eventBridge = new EventBridgeClient({});
  const publish = busName ? (events: Parameters<typeof publishCanonicalEvents>[2]) => publishCanonicalEvents(eventBridge, busName, events) : undefined;

  const providers: ProviderReconciliation[] = [];
  if (env.STRIPE_API_KEY) {
    const stripe = new StripeApi({
      apiKey: async () => env.STRIPE_API_KEY!,
      apiVersion: STRIPE_API_VERSION,
      ...(env.STRIPE_API_URL ? { baseUrl: env.STRIPE_API_URL } : {}),
      ...(env.STRIPE_ACCOUNT ? { stripeAccount: env.STRIPE_ACCOUNT } : {}),
    });
    providers.push({ system: 'stripe', provider: new StripeProviderLister(stripe), ...(publish ? { reemitter: new StripeReemitter(stripe, publish, env.STRIPE_ACCOUNT ?? null) } : {}) });
  }
  if (paypalSet) {
    const paypal = new PaypalApi({
      credentials: async () => ({ clientId: env.PAYPAL_CLIENT_ID!, clientSecret: env.PAYPAL_CLIENT_SECRET! }),
      ...(env.PAYPAL_API_URL ? { baseUrl: env.PAYPAL_API_URL } : {}),
    });
    providers.push({ system: 'paypal', provider: new PaypalProviderLister(paypal), ...(publish ? { reemitter: new PaypalReemitter(paypal, publish) } : {}) });
  }
  const report = await reconcileProviders(period, providers, new OdooReconciliationGateway(odoo), { reemit });
  out(values.json ? JSON.stringify(report, null, 2) : formatRunReport(report));
  if (report.providers.some((provider) => provider.error !== undefined)) return EXIT_FAILURE;
  return report.summary.drift > 0 ? EXIT_DRIFT : EXIT_NO_DRIFT;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  main(process.argv.slice(2), process.env, (text) => console.log(text)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`reconcile: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(EXIT_FAILURE);
    },
  );
}
