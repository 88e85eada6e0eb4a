import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { secretApiKeyProvider } from '../platform/secret-api-key';
import { publishCanonicalEvents } from '../platform/event-publisher';
import { OdooClient } from '../erp/odoo/odoo-client';
import { DRIFT_KINDS } from '../domain/reconciliation';
import { readEnv } from '../platform/env';
import { ODOO_PROTECTION_ENV, odooProtectionSettings } from '../erp/odoo/odoo-protection-env';
import { logger, metrics } from '../platform/powertools';
import { reconciliationSourcesFromEnv } from '../providers/reconciliation-sources';
import { OdooReconciliationGateway } from './odoo-reconciliation-reader';
import { periodOf } from './reconcile-event';
import { reconcileProviders, type ReconciliationRunReport } from './reconcile-period';

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

const odoo = new OdooReconciliationGateway(
  new OdooClient({
    connection: { url: env.ODOO_URL, database: env.ODOO_DB, login: env.ODOO_LOGIN, transport: env.ODOO_TRANSPORT, ...odooProtectionSettings(env) },
    apiKey: secretApiKeyProvider(env.ODOO_API_KEY_SECRET_NAME),
  }),
);
const eventBridge = new EventBridgeClient({});
// Every provider the stage runs (PROVIDER_SYSTEMS), each with its lister and re-emitter (providers/registry.ts).
const { sources, unreconciled } = reconciliationSourcesFromEnv((events) => publishCanonicalEvents(eventBridge, env.EVENT_BUS_NAME, events));

/** A run in which a provider could not be reconciled: the others' drift is logged and counted first. */
export class ReconciliationRunError extends Error {
  override name = 'ReconciliationRunError';
}

/**
 * Scheduled reconciliation (each configured provider vs Odoo) of yesterday, or of `{ from, to }`; with
 * `reemit: true` the documents missing in Odoo are re-emitted as canonical events for the flows to apply. Logs and
 * returns the report, per provider; publishes `ReconciliationDrift` per kind (0 included, so an alarm sees data
 * every run), per provider and in all. A provider whose run failed fails the invocation (the failure alarm), after
 * the others' report is logged.
 */
export async function handler(event: unknown, context: Context): Promise<ReconciliationRunReport> {
  logger.addContext(context);
  const { period, reemit } = periodOf(event, new Date());
  try {
    const report = await reconcileProviders(period, sources, odoo, { reemit });
    for (const kind of DRIFT_KINDS) {
      metrics.singleMetric().addDimension('kind', kind).addMetric('ReconciliationDrift', MetricUnit.Count, report.summary.byKind[kind]);
    }
    for (const { system, report: providerReport } of report.providers) {
      if (providerReport) metrics.singleMetric().addDimension('provider', system).addMetric('ReconciliationDrift', MetricUnit.Count, providerReport.summary.drift);
    }
    metrics.addMetric('ReconciliationDrift', MetricUnit.Count, report.summary.drift);
    const failed = report.providers.filter((provider) => provider.error !== undefined);
    const log = report.summary.drift > 0 || failed.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
    log('reconciliation finished', {
      period,
      summary: report.summary,
      providers: report.providers.map(({ system, report: providerReport, error }) => ({ system, ...(providerReport ? { summary: providerReport.summary, reemit: providerReport.reemit } : { error }) })),
      items: report.items,
      ...(unreconciled.length > 0 ? { unreconciled } : {}),
    });
    if (failed.length > 0) throw new ReconciliationRunError(`could not reconcile ${failed.map(({ system, error }) => `${system} (${error})`).join('; ')}`);
    return report;
  } finally {
    metrics.publishStoredMetrics();
  }
}
