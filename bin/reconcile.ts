/**
 * Reconcile a period by hand: Stripe vs Odoo.
 *
 *   npm run reconcile -- --from 2026-11-01 --to 2026-11-30 [--json] [--reemit]
 *
 * Env: STRIPE_API_KEY, STRIPE_API_URL (default https://api.stripe.com; the sandbox's URL locally),
 * STRIPE_ACCOUNT (Connect, optional), ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY, ODOO_TRANSPORT
 * (auto | jsonrpc | json2, default auto), EVENT_BUS_NAME (where --reemit publishes). Without --from/--to:
 * yesterday (UTC).
 * Prints a table (JSON with --json). Exit code: 0 no drift, 2 drift, 1 failure.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { parseArgs } from 'node:util';
import { publishCanonicalEvents } from '../functions/platform/event-publisher';
import { OdooClient } from '../functions/erp/odoo/odoo-client';
import type { OdooTransportChoice } from '../functions/erp/odoo/odoo-config';
import { STRIPE_API_VERSION, StripeApi } from '../functions/providers/stripe/stripe-api';
import { OdooReconciliationGateway } from '../functions/reconcile/odoo-reconciliation-reader';
import { periodOf } from '../functions/reconcile/reconcile-event';
import { reconcilePeriod } from '../functions/reconcile/reconcile-period';
import { formatReportTable } from '../functions/reconcile/report-table';
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
  const missing = ['STRIPE_API_KEY', 'ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`set ${missing.join(', ')}`);
  const { period, reemit } = periodOf({ from: values.from, to: values.to, reemit: values.reemit }, new Date());

  const stripe = new StripeApi({
    apiKey: async () => env.STRIPE_API_KEY!,
    apiVersion: STRIPE_API_VERSION,
    ...(env.STRIPE_API_URL ? { baseUrl: env.STRIPE_API_URL } : {}),
    ...(env.STRIPE_ACCOUNT ? { stripeAccount: env.STRIPE_ACCOUNT } : {}),
  });
  const odooKey = env.ODOO_API_KEY!;
  const odoo = new OdooClient({
    connection: { url: env.ODOO_URL!, database: env.ODOO_DB!, login: env.ODOO_LOGIN!, transport: (env.ODOO_TRANSPORT ?? 'auto') as OdooTransportChoice },
    apiKey: { get: async () => odooKey, invalidate: () => undefined },
  });
  // --reemit publishes to the bus named by EVENT_BUS_NAME (AWS credentials from the environment; locally
  // AWS_ENDPOINT_URL_EVENTBRIDGE as `npm start` prints it); without it, re-emitting is reported as skipped.
  const busName = env.EVENT_BUS_NAME;
  const eventBridge = new EventBridgeClient({});
  const reemitter = busName
    ? new StripeReemitter(stripe, (events) => publishCanonicalEvents(eventBridge, busName, events), env.STRIPE_ACCOUNT ?? null)
    : undefined;
  const ports = { provider: new StripeProviderLister(stripe), odoo: new OdooReconciliationGateway(odoo), ...(reemitter ? { reemitter } : {}) };
  const report = await reconcilePeriod(period, ports, { reemit });
  out(values.json ? JSON.stringify(report, null, 2) : formatReportTable(report));
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
