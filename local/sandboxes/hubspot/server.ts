import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../read-body';
import { hubspotWebhookSigner } from './webhook-signer';

/** The credentials and ids the sandbox uses unless told otherwise (the local stage's `hubspot` settings). */
export const SANDBOX_HUBSPOT_ACCESS_TOKEN = 'pat-sandbox-local';
export const SANDBOX_HUBSPOT_APP_SECRET = 'sandbox-hubspot-app-secret';
export const SANDBOX_HUBSPOT_PORTAL_ID = '62515';
export const SANDBOX_HUBSPOT_APP_ID = '54321';

/** The object types served, by the names HubSpot's paths accept (plural and singular). */
const OBJECT_TYPES: Readonly<Record<string, string>> = {
  companies: 'companies', company: 'companies', contacts: 'contacts', contact: 'contacts', deals: 'deals', deal: 'deals', line_items: 'line_items', line_item: 'line_items',
  notes: 'notes', note: 'notes', tasks: 'tasks', task: 'tasks',
};
/** The types whose changes HubSpot's webhooks report, by the singular its `subscriptionType` uses. */
const WEBHOOK_OBJECT_TYPES: Readonly<Record<string, string>> = { companies: 'company', contacts: 'contact', deals: 'deal' };
/** HubSpot's default association type ids a note or a task is created with (HUBSPOT_DEFINED): id → [from, to]. */
const CREATE_ASSOCIATION_TYPES: Readonly<Record<number, readonly [string, string]>> = {
  190: ['notes', 'companies'], 202: ['notes', 'contacts'], 214: ['notes', 'deals'],
  192: ['tasks', 'companies'], 204: ['tasks', 'contacts'], 216: ['tasks', 'deals'],
};
/** HubSpot's default association type ids: a primary company of a contact (1) or a deal (5), plain links otherwise. */
const PRIMARY_TYPE_IDS: Readonly<Record<string, number>> = { 'contacts/companies': 1, 'deals/companies': 5 };
const PLAIN_TYPE_IDS: Readonly<Record<string, number>> = { 'contacts/companies': 279, 'deals/companies': 341, 'deals/contacts': 3, 'deals/line_items': 19, 'companies/contacts': 280, 'contacts/deals': 4, 'companies/deals': 342, 'line_items/deals': 20 };

export interface HubspotSandboxRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface HubspotSandboxOptions {
  port?: number;
  host?: string;
  accessToken?: string;
  appSecret?: string;
  portalId?: string;
  appId?: string;
  /** The target URL the app is configured with: what the sender signs (the stage's `hubspot.webhookUrl`). */
  webhookUrl?: string;
  /** Where the app's change events go (see `sendChangeEventsTo`); none are sent without. */
  changeEventsTo?: string;
}

/** One delivery of change events the sandbox made of a write through its API, and the receiver's answer. */
export interface HubspotChangeDelivery {
  readonly events: readonly Record<string, unknown>[];
  readonly status: number | undefined;
  /** What the receiver answered (the stack's ingest says how many events it skipped). */
  readonly body: string | undefined;
}

interface Fault {
  status: number;
  remaining: number;
  pathPrefix: string;
  retryAfterSeconds?: number;
  /** A 429's policy: `TEN_SECONDLY_ROLLING` (default) or `DAILY`. */
  policyName?: string;
}

export interface HubspotSandbox {
  url: string;
  port: number;
  portalId: string;
  appId: string;
  webhookUrl: string;
  /** Stores records of a type (a repeated id replaces the record's properties), as the CRM API will serve them. */
  seed(type: string, records: ReadonlyArray<{ id: string | number; properties: Record<string, string | number | boolean | null> }>): void;
  /** Links two records both ways; `primary` marks a contact's or deal's primary company. */
  associate(from: string, fromId: string | number, to: string, toId: string | number, options?: { primary?: boolean }): void;
  record(type: string, id: string | number): HubspotSandboxRecord | undefined;
  /** A thin webhook event as HubSpot sends it, for this sandbox's portal and app (`sourceId` a user unless given). */
  event(subscriptionType: string, fields: Record<string, unknown>): Record<string, unknown>;
  /** Headers of one signed delivery of `rawBody`, as HubSpot would send them. */
  signedHeaders(rawBody: string, options?: { timestamp?: number }): Record<string, string>;
  /** POSTs a batch of events, signed, to a receiver (the local stack's `/webhooks/hubspot`): its answer. */
  deliver(targetUrl: string, events: readonly unknown[]): Promise<{ status: number; body: string }>;
  /** Requests served, by `METHOD path` (the contract tests count reads). */
  readonly requests: readonly string[];
  /**
   * Sends a signed `<type>.propertyChange` webhook to `targetUrl` (the stack's `/webhooks/hubspot`) for each property a
   * write through the API changes on a company, contact or deal — as HubSpot does for an app subscribed to them:
   * `changeSource: 'INTEGRATION'` and `sourceId` = the app id, since every API write here is the private app's.
   * `undefined` stops them.
   */
  sendChangeEventsTo(targetUrl: string | undefined): void;
  /** The change deliveries made so far (after `settled()`, all of them with their answers). */
  readonly changeDeliveries: readonly HubspotChangeDelivery[];
  /** Waits for the change deliveries under way. */
  settled(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

/**
 * HubSpot's CRM API for the local stack and the tests, with no HubSpot portal: the v3 batch reads of companies,
 * contacts, deals and line items (200, or 207 with the ids it does not have), single reads, the v4 association batch
 * reads, `PATCH` of properties, private-app bearer tokens (401 otherwise) and HubSpot's error bodies. Records are
 * seeded (`seed`/`associate`, or `POST /_sandbox/objects` `{ type, records }` and `POST /_sandbox/associations`
 * `{ from, to, links: [{ fromId, toId, primary }] }`); faults injected (`POST /_sandbox/faults` `{ status, remaining,
 * pathPrefix, retryAfterSeconds, policyName }`: a 429 as HubSpot's rate limiter answers it); signed webhook batches
 * sent (`deliver`, or `POST /_sandbox/deliver` `{ targetUrl, events }`).
 */
export async function startHubspotSandbox(options: HubspotSandboxOptions = {}): Promise<HubspotSandbox> {
  const accessToken = options.accessToken ?? SANDBOX_HUBSPOT_ACCESS_TOKEN;
  const portalId = options.portalId ?? SANDBOX_HUBSPOT_PORTAL_ID;
  const appId = options.appId ?? SANDBOX_HUBSPOT_APP_ID;
  const records = new Map<string, Map<string, HubspotSandboxRecord>>();
  // `<from>/<to>` → from id → to id → primary?
  const links = new Map<string, Map<string, Map<string, boolean>>>();
  const faults: Fault[] = [];
  const requests: string[] = [];
  let nextEventId = 1;
  // Ids of records made through the API (notes, tasks): above any seeded id the tests use.
  let nextRecordId = 90_000_001;
  let changeEventsTo = options.changeEventsTo;
  const changeDeliveries: HubspotChangeDelivery[] = [];
  const pendingDeliveries = new Set<Promise<void>>();

  /** HubSpot reports an API write to its subscribers after answering it: delivered in the background. */
  function reportChanges(type: string, id: string, changed: Record<string, string | null>): void {
    const singular = WEBHOOK_OBJECT_TYPES[type];
    const target = changeEventsTo;
    if (singular === undefined || target === undefined || Object.keys(changed).length === 0) return;
    const events = Object.entries(changed).map(([propertyName, propertyValue]) =>
      sandbox.event(`${singular}.propertyChange`, { objectId: Number(id), propertyName, propertyValue: propertyValue ?? '', changeSource: 'INTEGRATION', sourceId: appId }),
    );
    const delivery: Promise<void> = sandbox
      .deliver(target, events)
      .then(
        (answer) => void changeDeliveries.push({ events, status: answer.status, body: answer.body }),
        () => void changeDeliveries.push({ events, status: undefined, body: undefined }),
      )
      .finally(() => pendingDeliveries.delete(delivery));
    pendingDeliveries.add(delivery);
  }

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'Content-Type': 'application/json;charset=utf-8', ...headers });
    response.end(body === undefined ? '' : JSON.stringify(body));
  };
  const hubspotError = (category: string, message: string, extra: Record<string, unknown> = {}) => ({ status: 'error', message, correlationId: randomUUID(), category, ...extra });
  const typeOf = (name: string | undefined) => (name === undefined ? undefined : OBJECT_TYPES[name]);
  const collection = (type: string) => {
    const existing = records.get(type);
    if (existing) return existing;
    const created = new Map<string, HubspotSandboxRecord>();
    records.set(type, created);
    return created;
  };
  const publicRecord = (record: HubspotSandboxRecord, properties: readonly string[] | undefined) => ({
    id: record.id,
    properties: properties === undefined ? record.properties : Object.fromEntries(properties.map((name) => [name, record.properties[name] ?? null])),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
  });

  function link(from: string, fromId: string, to: string, toId: string, primary: boolean): void {
    const key = `${from}/${to}`;
    const byFrom = links.get(key) ?? new Map<string, Map<string, boolean>>();
    const targets = byFrom.get(fromId) ?? new Map<string, boolean>();
    targets.set(toId, primary);
    byFrom.set(fromId, targets);
    links.set(key, byFrom);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    requests.push(`${request.method} ${path}`);

    if (request.method === 'GET' && path === '/_sandbox/change-deliveries') {
      await sandbox.settled();
      return send(response, 200, { deliveries: changeDeliveries });
    }
    if (request.method === 'POST' && path.startsWith('/_sandbox/')) {
      const body = JSON.parse(await readBody(request, 20 * 1024 * 1024)) as Record<string, unknown>;
      switch (path) {
        case '/_sandbox/objects': {
          const { type, records: seeded } = body as { type: string; records: Parameters<HubspotSandbox['seed']>[1] };
          if (typeOf(type) === undefined) return send(response, 400, hubspotError('VALIDATION_ERROR', `unknown object type ${type}`));
          sandbox.seed(type, seeded);
          return send(response, 200, { seeded: seeded.length });
        }
        case '/_sandbox/associations': {
          const { from, to, links: seeded } = body as { from: string; to: string; links: { fromId: string; toId: string; primary?: boolean }[] };
          for (const entry of seeded) sandbox.associate(from, entry.fromId, to, entry.toId, { primary: entry.primary ?? false });
          return send(response, 200, { linked: seeded.length });
        }
        case '/_sandbox/faults': {
          const fault = body as unknown as Fault;
          faults.push({ ...fault, pathPrefix: fault.pathPrefix ?? '/' });
          return send(response, 200, { queued: true });
        }
        case '/_sandbox/deliver': {
          const { targetUrl, events } = body as { targetUrl: string; events: unknown[] };
          return send(response, 200, await sandbox.deliver(targetUrl, events));
        }
        default:
          return send(response, 404, hubspotError('OBJECT_NOT_FOUND', `no sandbox route ${path}`));
      }
    }

    const fault = faults.find((candidate) => candidate.remaining > 0 && path.startsWith(candidate.pathPrefix));
    if (fault !== undefined) {
      fault.remaining--;
      if (fault.status === 429) {
        const policyName = fault.policyName ?? 'TEN_SECONDLY_ROLLING';
        return send(response, 429, { status: 'error', message: `You have reached your ${policyName.toLowerCase()} limit.`, errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName, groupName: 'publicapi:private-app' }, {
          'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
          'X-HubSpot-RateLimit-Max': '100',
          'X-HubSpot-RateLimit-Remaining': '0',
          ...(fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) }),
        });
      }
      return send(response, fault.status, hubspotError('INTERNAL_ERROR', 'injected fault'));
    }

    if (request.headers.authorization !== `Bearer ${accessToken}`) {
      return send(response, 401, hubspotError('INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview'));
    }

    const batchRead = /^\/crm\/v3\/objects\/([a-z_]+)\/batch\/read$/.exec(path);
    if (request.method === 'POST' && batchRead) {
      const type = typeOf(batchRead[1]);
      if (type === undefined) return send(response, 400, hubspotError('VALIDATION_ERROR', `Unable to infer object type from: ${batchRead[1]}`));
      const body = JSON.parse(await readBody(request, 1024 * 1024)) as { inputs?: { id: string }[]; properties?: string[] };
      const inputs = body.inputs ?? [];
      if (inputs.length > 100) return send(response, 400, hubspotError('VALIDATION_ERROR', 'Batch input must contain at most 100 inputs'));
      const found = inputs.flatMap(({ id }) => {
        const record = collection(type).get(String(id));
        return record === undefined || record.archived ? [] : [publicRecord(record, body.properties)];
      });
      const missing = inputs.map(({ id }) => String(id)).filter((id) => !found.some((record) => record.id === id));
      const startedAt = new Date().toISOString();
      const result = { status: 'COMPLETE', results: found, startedAt, completedAt: new Date().toISOString() };
      if (missing.length === 0) return send(response, 200, result);
      return send(response, 207, { ...result, numErrors: 1, errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: `Could not get some ${type} objects, they may be deleted or not exist.`, context: { ids: missing } }] });
    }

    const associations = /^\/crm\/v4\/associations\/([a-z_]+)\/([a-z_]+)\/batch\/read$/.exec(path);
    if (request.method === 'POST' && associations) {
      const from = typeOf(associations[1]);
      const to = typeOf(associations[2]);
      if (from === undefined || to === undefined) return send(response, 400, hubspotError('VALIDATION_ERROR', `unknown object types ${associations[1]}/${associations[2]}`));
      const body = JSON.parse(await readBody(request, 1024 * 1024)) as { inputs?: { id: string }[] };
      const key = `${from}/${to}`;
      const results = (body.inputs ?? []).flatMap(({ id }) => {
        const targets = links.get(key)?.get(String(id));
        if (targets === undefined || targets.size === 0) return [];
        return [
          {
            from: { id: String(id) },
            to: [...targets].map(([toId, primary]) => ({
              toObjectId: Number(toId),
              associationTypes: [
                ...(primary ? [{ category: 'HUBSPOT_DEFINED', typeId: PRIMARY_TYPE_IDS[key] ?? 1, label: 'Primary' }] : []),
                { category: 'HUBSPOT_DEFINED', typeId: PLAIN_TYPE_IDS[key] ?? 1, label: null },
              ],
            })),
          },
        ];
      });
      return send(response, 200, { status: 'COMPLETE', results, startedAt: new Date().toISOString(), completedAt: new Date().toISOString() });
    }

    const search = /^\/crm\/v3\/objects\/([a-z_]+)\/search$/.exec(path);
    if (request.method === 'POST' && search) {
      const type = typeOf(search[1]);
      if (type === undefined) return send(response, 400, hubspotError('VALIDATION_ERROR', `Unable to infer object type from: ${search[1]}`));
      const body = JSON.parse(await readBody(request, 1024 * 1024)) as { filterGroups?: { filters?: { propertyName: string; operator: string; value?: unknown }[] }[]; properties?: string[]; limit?: number };
      const groups = body.filterGroups ?? [];
      const unsupported = groups.flatMap((group) => group.filters ?? []).find((filter) => filter.operator !== 'EQ');
      if (unsupported !== undefined) return send(response, 400, hubspotError('VALIDATION_ERROR', `the sandbox searches with EQ filters only, not ${unsupported.operator}`));
      // Filter groups are ORed, the filters of a group ANDed; EQ compares text as HubSpot does, ignoring case.
      const matches = [...collection(type).values()].filter(
        (record) => !record.archived && (groups.length === 0 || groups.some((group) => (group.filters ?? []).every((filter) => (record.properties[filter.propertyName] ?? '').toLowerCase() === String(filter.value ?? '').toLowerCase()))),
      );
      const limit = Math.min(body.limit ?? 10, 200);
      return send(response, 200, { total: matches.length, results: matches.slice(0, limit).map((record) => publicRecord(record, body.properties ?? [])) });
    }

    const create = /^\/crm\/v3\/objects\/([a-z_]+)$/.exec(path);
    if (request.method === 'POST' && create) {
      const type = typeOf(create[1]);
      if (type === undefined) return send(response, 400, hubspotError('VALIDATION_ERROR', `Unable to infer object type from: ${create[1]}`));
      const body = JSON.parse(await readBody(request, 1024 * 1024)) as {
        properties?: Record<string, unknown>;
        associations?: { to?: { id?: unknown }; types?: { associationCategory?: string; associationTypeId?: number }[] }[];
      };
      if (body.properties === undefined || typeof body.properties !== 'object') return send(response, 400, hubspotError('VALIDATION_ERROR', 'properties are required'));
      if ((type === 'notes' || type === 'tasks') && !body.properties['hs_timestamp']) return send(response, 400, hubspotError('VALIDATION_ERROR', 'Property values were not valid: hs_timestamp is required'));
      const links: [string, string][] = [];
      for (const association of body.associations ?? []) {
        for (const associationType of association.types ?? []) {
          const known = CREATE_ASSOCIATION_TYPES[associationType.associationTypeId ?? -1];
          const toId = String(association.to?.id ?? '');
          if (known === undefined || known[0] !== type || associationType.associationCategory !== 'HUBSPOT_DEFINED') {
            return send(response, 400, hubspotError('VALIDATION_ERROR', `invalid association type ${associationType.associationCategory}/${associationType.associationTypeId} for ${type}`));
          }
          const target = collection(known[1]).get(toId);
          if (target === undefined || target.archived) return send(response, 400, hubspotError('VALIDATION_ERROR', `One or more associations are invalid: ${known[1]} ${toId} does not exist`));
          links.push([known[1], toId]);
        }
      }
      const id = String(nextRecordId++);
      const now = new Date().toISOString();
      const record: HubspotSandboxRecord = { id, properties: Object.fromEntries(Object.entries(body.properties).map(([name, value]) => [name, value === null ? null : String(value)])), createdAt: now, updatedAt: now, archived: false };
      collection(type).set(id, record);
      for (const [toType, toId] of links) {
        link(type, id, toType, toId, false);
        link(toType, toId, type, id, false);
      }
      return send(response, 201, publicRecord(record, undefined));
    }

    const single = /^\/crm\/v3\/objects\/([a-z_]+)\/(\d+)$/.exec(path);
    if (single) {
      const type = typeOf(single[1]);
      const record = type === undefined ? undefined : collection(type).get(single[2]!);
      if (type === undefined || record === undefined || record.archived) return send(response, 404, hubspotError('OBJECT_NOT_FOUND', 'Object not found.'));
      if (request.method === 'GET') {
        const properties = url.searchParams.get('properties');
        return send(response, 200, publicRecord(record, properties === null ? undefined : properties.split(',')));
      }
      if (request.method === 'PATCH') {
        const body = JSON.parse(await readBody(request, 1024 * 1024)) as { properties?: Record<string, unknown> };
        if (body.properties === undefined || typeof body.properties !== 'object') return send(response, 400, hubspotError('VALIDATION_ERROR', 'properties are required'));
        const changed: Record<string, string | null> = {};
        for (const [name, value] of Object.entries(body.properties)) {
          const text = value === null ? null : String(value);
          // HubSpot stores an empty value as no value, and reports only what changed.
          if ((record.properties[name] ?? '') !== (text ?? '')) changed[name] = text;
          record.properties[name] = text;
        }
        record.updatedAt = new Date().toISOString();
        reportChanges(type, record.id, changed);
        return send(response, 200, publicRecord(record, undefined));
      }
    }
    return send(response, 404, hubspotError('OBJECT_NOT_FOUND', `no route ${request.method} ${path}`));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, 500, hubspotError('INTERNAL_ERROR', error instanceof Error ? error.message : String(error))));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const webhookUrl = options.webhookUrl ?? `${url}/webhooks/hubspot`;
  const signer = hubspotWebhookSigner({ appSecret: options.appSecret ?? SANDBOX_HUBSPOT_APP_SECRET, webhookUrl });

  const sandbox: HubspotSandbox = {
    url,
    port,
    portalId,
    appId,
    webhookUrl,
    seed(type, seeded) {
      const resolved = typeOf(type);
      if (resolved === undefined) throw new Error(`unknown HubSpot object type ${type}`);
      const now = new Date().toISOString();
      for (const { id, properties } of seeded) {
        const existing = collection(resolved).get(String(id));
        const text = Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, value === null ? null : String(value)]));
        collection(resolved).set(String(id), { id: String(id), properties: { ...existing?.properties, ...text }, createdAt: existing?.createdAt ?? now, updatedAt: now, archived: false });
      }
    },
    associate(from, fromId, to, toId, associateOptions = {}) {
      const fromType = typeOf(from);
      const toType = typeOf(to);
      if (fromType === undefined || toType === undefined) throw new Error(`unknown HubSpot object types ${from}/${to}`);
      link(fromType, String(fromId), toType, String(toId), associateOptions.primary ?? false);
      link(toType, String(toId), fromType, String(fromId), false);
    },
    record: (type, id) => records.get(typeOf(type) ?? type)?.get(String(id)),
    event(subscriptionType, fields) {
      const eventId = nextEventId++;
      return { eventId, subscriptionId: 100 + eventId, portalId: Number(portalId), appId: Number(appId), occurredAt: Date.now(), subscriptionType, attemptNumber: 0, changeSource: 'CRM_UI', sourceId: 'userId:1', ...fields };
    },
    signedHeaders: (rawBody, signOptions) => signer.headersFor(rawBody, signOptions),
    async deliver(targetUrl, events) {
      const rawBody = JSON.stringify(events);
      const answer = await fetch(targetUrl, { method: 'POST', headers: signer.headersFor(rawBody), body: rawBody });
      return { status: answer.status, body: await answer.text() };
    },
    requests,
    sendChangeEventsTo(targetUrl) {
      changeEventsTo = targetUrl;
    },
    changeDeliveries,
    async settled() {
      while (pendingDeliveries.size > 0) await Promise.allSettled([...pendingDeliveries]);
    },
    reset() {
      changeDeliveries.length = 0;
      records.clear();
      links.clear();
      faults.length = 0;
      requests.length = 0;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
  return sandbox;
}
