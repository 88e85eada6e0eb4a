import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { secretApiKeyProvider } from '../platform/secret-api-key';
import { publishCanonicalEvents } from '../platform/event-publisher';
import { OdooClient } from '../erp/odoo/odoo-client';
import { stripeApiFromEnv } from '../providers/stripe/stripe-api-from-env';
import { DRIFT_KINDS } from '../domain/reconciliation';
import { readEnv } from '../platform/env';
import { ODOO_PROTECTION_ENV, odooProtectionSettings } from '../erp/odoo/odoo-protection-env';
import { logger, metrics } from '../platform/powertools';
import { OdooReconciliationGateway } from './odoo-reconciliation-reader';
import { periodOf } from './reconcile-event';
import { reconcilePeriod, type ReconciliationReport } from './reconcile-period';
import { StripeProviderLister } from '../providers/stripe/stripe-provider-lister';
import { StripeReemitter } from '../providers/stripe/stripe-reemitter';

const text = () => z.string().check(z.minLength(1));
const env = readEnv({
  ODOO_URL: text(),
  ODOO_DB: text(),
  ODOO_LOGIN: text(),
  ODOO_TRANSPORT: z.enum(['auto', 'jsonrpc', 'json2']),
  ODOO_API_KEY_SECRET_NAME: text(),
  // The stage's limits: a reconciliation run reads while the flows write, and Odoo sees both.
  ...ODOO_PROTECTION_ENV,
  /** Where `{ "reemit": true }` puts the canonical events of documents missing in Odoo. */
  EVENT_BUS_NAME: text(),
});

const odoo = new OdooClient({
  connection: { url: env.ODOO_URL, database: env.ODOO_DB, login: env.ODOO_LOGIN, transport: env.ODOO_TRANSPORT, ...odooProtectionSettings(env) },
  apiKey: secretApiKeyProvider(env.ODOO_API_KEY_SECRET_NAME),
});
// Connect: the account reconciled is STRIPE_ACCOUNT's.
const { stripe, account } = stripeApiFromEnv();
const eventBridge = new EventBridgeClient({});
const ports = {
  provider: new StripeProviderLister(stripe),
  odoo: new OdooReconciliationGateway(odoo),
  reemitter: new StripeReemitter(stripe, (events) => publishCanonicalEvents(eventBridge, env.EVENT_BUS_NAME, events), account),
};

/**
 * Scheduled reconciliation (Stripe vs Odoo) of yesterday, or of `{ from, to }`; with `reemit: true` the
 * documents missing in Odoo are re-emitted as canonical events for the flows to apply. Logs and returns the
 * report; publishes `ReconciliationDrift` per kind (0 included, so an alarm sees data every run) and in all.
 */
export async function handler(event: unknown, context: Context): Promise<ReconciliationReport> {
  logger.addContext(context);
  const { period, reemit } = periodOf(event, new Date());
  try {
    const report = await reconcilePeriod(period, ports, { reemit });
    for (const kind of DRIFT_KINDS) {
      metrics.singleMetric().addDimension('kind', kind).addMetric('ReconciliationDrift', MetricUnit.Count, report.summary.byKind[kind]);
    }
    metrics.addMetric('ReconciliationDrift', MetricUnit.Count, report.summary.drift);
    const log = report.summary.drift > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
    log('reconciliation finished', { period, summary: report.summary, items: report.items, reemit: report.reemit });
    return report;
  } finally {
    metrics.publishStoredMetrics();
  }
}
