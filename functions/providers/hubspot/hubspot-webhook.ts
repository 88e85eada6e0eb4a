import type { CanonicalEvent } from '../../../events/catalog';
import { describeIssue } from '../../platform/validation-issues';
import type { ProviderWebhook, SignatureCheck, SkippedEvent, Translation } from '../../platform/webhook-receiver';
import { HubspotAuthError, HubspotRequestError, HubspotUnavailableError } from './hubspot-api-errors';
import { type HubspotReader, readRecords, type ReadRecords } from './hubspot-enrichment';
import { hubspotEventToCanonical } from './hubspot-event-to-canonical';
import { hubspotBodySchema, type HubspotChange, hubspotChangeOf, hubspotDedupeKey, type HubspotEvent, type HubspotObjectKind } from './hubspot-events';
import { MalformedHubspotRecordError } from './hubspot-record-mapping';
import { verifyHubspotSignatureV3 } from './hubspot-webhook-signature';

export interface HubspotWebhookSettings {
  /** The app's client secret (Secrets Manager), which signs the webhooks; `refresh` reads it again (rotated). */
  readonly appSecret: (refresh: boolean) => Promise<string>;
  /** The endpoint URL HubSpot is configured to call (stage setting, or the stack's API URL): HubSpot signs it. */
  readonly webhookUrl: string;
  /** The portal the stage syncs: events of another portal (the app installed elsewhere) are skipped, counted. */
  readonly portalId: string;
  /** The portal's company currency: a deal without `deal_currency_code` is in it. */
  readonly companyCurrency: string;
  /** Our app's id: a change it made (`sourceId`) is our own write coming back, dropped and counted. */
  readonly ownAppId: string | undefined;
  readonly reader: HubspotReader;
  /**
   * How long the reads of one body may take: HubSpot gives up on a delivery after 5 s (and delivers it again), so
   * the ingest answers before that, with 503 when HubSpot cannot be read in time.
   */
  readonly enrichmentBudgetMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_ENRICHMENT_BUDGET_MS = 3_500;

interface Planned {
  readonly event: HubspotEvent;
  readonly change: HubspotChange;
}

/**
 * HubSpot's webhooks as the platform's receiver sees them: the v3 signature over the configured URL, then a body
 * of up to 100 thin events → one canonical event each.
 *
 * Enrichment happens here, in the ingest, not in a consumer: a body is at most 100 events, so its records are read
 * with one batch read per object type (≤ 8 requests), the canonical events carry whole snapshots (no consumer has
 * to know HubSpot's API or merge partial changes), and if HubSpot cannot be read now the body is refused with 503,
 * so HubSpot's own retries (10 over 24 h) carry it — nothing half-published, no queue of thin events to replay.
 */
export function hubspotWebhook(settings: HubspotWebhookSettings): ProviderWebhook {
  const now = settings.now ?? (() => Date.now());
  return {
    name: 'HubSpot',
    async verify(request, refresh): Promise<SignatureCheck> {
      const check = verifyHubspotSignatureV3({
        rawBody: request.rawBody,
        header: (name) => request.header(name),
        secret: await settings.appSecret(refresh),
        uri: settings.webhookUrl,
        method: 'POST',
        nowMs: request.nowSeconds * 1000,
      });
      // Only a mismatch can mean a secret rotated since it was cached; a stale or missing header cannot.
      return check.valid ? check : { valid: false, reason: check.reason, credentialsMayBeStale: check.mismatch, statusCode: check.status };
    },
    async translate(body): Promise<Translation> {
      const parsed = hubspotBodySchema.safeParse(body);
      if (!parsed.success) return { kind: 'not-an-event', issue: describeIssue(parsed.error.issues[0]) };
      const events = parsed.data;
      const about = aboutBody(events);
      const { planned, skipped } = plan(events, settings);

      let records: ReadRecords;
      try {
        records = await readRecords(settings.reader, idsToRead(planned), { deadline: now() + (settings.enrichmentBudgetMs ?? DEFAULT_ENRICHMENT_BUDGET_MS) });
      } catch (error) {
        // A token HubSpot refuses is the stage's fault, not the body's: 503 keeps the body at HubSpot (retried for a
        // day) while the metric alarms, instead of losing it.
        if (error instanceof HubspotUnavailableError || error instanceof HubspotAuthError || error instanceof HubspotRequestError) return { kind: 'unavailable', about, reason: error.message };
        throw error;
      }

      const context = { portalId: settings.portalId, companyCurrency: settings.companyCurrency };
      const canonical: CanonicalEvent[] = [];
      for (const { event, change } of planned) {
        let mapping: ReturnType<typeof hubspotEventToCanonical>;
        try {
          mapping = hubspotEventToCanonical(event, change, records, context);
        } catch (error) {
          // A record no snapshot can hold (an amount finer than its currency): the whole body is set aside with the
          // reason, never half-applied; once the record is fixed in HubSpot, a replay of the body reads it again.
          if (error instanceof MalformedHubspotRecordError) return { kind: 'set-aside', outcome: 'RejectedMalformed', about, reason: `${event.subscriptionType} ${hubspotDedupeKey(event)}: ${error.message}` };
          throw error;
        }
        if (mapping.handled) canonical.push(...mapping.events);
        else skipped.push({ about: aboutEvent(event), outcome: 'Ignored', reason: mapping.reason });
      }
      return { kind: 'mapped', about, events: canonical, skipped };
    },
  };
}

/** Which events become a change to read and map, and which are skipped (and why), in body order. */
function plan(events: readonly HubspotEvent[], settings: HubspotWebhookSettings): { planned: Planned[]; skipped: SkippedEvent[] } {
  const planned: Planned[] = [];
  const skipped: SkippedEvent[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    const about = aboutEvent(event);
    const key = hubspotDedupeKey(event);
    if (seen.has(key)) {
      skipped.push({ about, outcome: 'Ignored', reason: 'the same event twice in one body' });
      continue;
    }
    seen.add(key);
    if (String(event.portalId) !== settings.portalId) {
      skipped.push({ about, outcome: 'Ignored', reason: `portal ${event.portalId} is not the stage's portal ${settings.portalId}` });
      continue;
    }
    if (settings.ownAppId !== undefined && event.sourceId === settings.ownAppId) {
      skipped.push({ about, outcome: 'DroppedOwnWrite', reason: `written by our app ${settings.ownAppId} (${event.changeSource ?? 'no changeSource'})` });
      continue;
    }
    const change = hubspotChangeOf(event);
    if (change.kind === 'unhandled') skipped.push({ about, outcome: 'Ignored', reason: change.reason });
    else planned.push({ event, change });
  }
  return { planned, skipped };
}

function idsToRead(planned: readonly Planned[]): Record<HubspotObjectKind, string[]> {
  const ids: Record<HubspotObjectKind, string[]> = { company: [], contact: [], deal: [] };
  for (const { change } of planned) {
    if (change.kind === 'upsert') ids[change.object].push(change.id);
    if (change.kind === 'merge') ids[change.object].push(change.survivorId);
  }
  return ids;
}

function aboutEvent(event: HubspotEvent) {
  return { id: hubspotDedupeKey(event), type: event.subscriptionType };
}

/** A body, for logs: its first event's key and how many more (a body of 100 keys would flood a log line). */
function aboutBody(events: readonly HubspotEvent[]) {
  const first = events[0]!;
  const types = [...new Set(events.map((event) => event.subscriptionType))].join(',');
  return { id: events.length === 1 ? hubspotDedupeKey(first) : `${hubspotDedupeKey(first)} (+${events.length - 1} more)`, type: types };
}
