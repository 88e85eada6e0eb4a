import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../read-body';
import { zendeskWebhookSigner } from './webhook-signer';

/** The credentials and ids the sandbox uses unless told otherwise (the local stage's `zendesk` settings). */
export const SANDBOX_ZENDESK_API_EMAIL = 'integration@sandbox.example';
export const SANDBOX_ZENDESK_API_TOKEN = 'sandbox-zendesk-api-token';
export const SANDBOX_ZENDESK_SIGNING_SECRET = 'sandbox-zendesk-signing-secret';
export const SANDBOX_ZENDESK_API_USER_ID = '900000000001';
export const SANDBOX_ZENDESK_ACCOUNT_ID = 22129848;
const WEBHOOK_ID = '01SANDBOXZENDESKWEBHOOK0001';
const EVENT_VERSION = '2022-11-06';

export interface ZendeskSandboxOrganization {
  id: number;
  name: string;
  external_id: string | null;
  tags: string[];
  organization_fields: Record<string, string | number | boolean | null>;
  created_at: string;
  updated_at: string;
}

export interface ZendeskSandboxUser {
  id: number;
  name: string;
  email: string | null;
  organization_id: number | null;
  external_id: string | null;
  role: string;
}

export interface ZendeskSandboxTicket {
  id: number;
  subject: string | null;
  description: string;
  status: 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
  priority: 'low' | 'normal' | 'high' | 'urgent' | null;
  organization_id: number | null;
  requester_id: number | null;
  tags: string[];
  comments: { author_id: number; body: string; public: boolean; created_at: string }[];
  created_at: string;
  updated_at: string;
}

interface Fault {
  status: number;
  remaining: number;
  pathPrefix: string;
  retryAfterSeconds?: number;
}

export interface ZendeskSandboxOptions {
  port?: number;
  host?: string;
  email?: string;
  apiToken?: string;
  signingSecret?: string;
  apiUserId?: string;
  /**
   * Added to every organization, user and ticket id it hands out (default 0: the first ticket is 1001). The sandbox
   * keeps its records in memory while a stack's state (identity links, ticket effects) may outlive it: a sandbox
   * started again gives ids no earlier start gave when this grows with time.
   */
  idOffset?: number;
}

export interface Delivery {
  readonly envelope: Record<string, unknown>;
  readonly status: number;
  readonly body: string;
}

export interface ZendeskSandbox {
  url: string;
  port: number;
  apiUserId: string;
  organization(id: number | string): ZendeskSandboxOrganization | undefined;
  organizationByExternalId(externalId: string): ZendeskSandboxOrganization | undefined;
  ticket(id: number | string): ZendeskSandboxTicket | undefined;
  user(id: number | string): ZendeskSandboxUser | undefined;
  /** The users linked to an organization. */
  usersOf(organizationId: number): ZendeskSandboxUser[];
  /** An end user of an organization (the requester of the tickets it opens). */
  createUser(fields: { name: string; email: string; organizationId: number | null }): ZendeskSandboxUser;
  /**
   * A ticket opened by a requester, as Zendesk stores it; sends `ticket.created` to the event subscription (when
   * one is set) and returns the delivery.
   */
  openTicket(fields: { subject: string; requesterId: number; organizationId: number | null; priority?: ZendeskSandboxTicket['priority'] }): Promise<{ ticket: ZendeskSandboxTicket; delivery: Delivery | undefined }>;
  /** An agent changes a ticket's status: `ticket.status_changed` goes to the event subscription. */
  changeTicketStatus(id: number, status: ZendeskSandboxTicket['status'], actorId: number): Promise<Delivery | undefined>;
  /** The event-subscription envelope Zendesk would send for a ticket event (not sent). */
  ticketEvent(type: string, ticket: ZendeskSandboxTicket, event: Record<string, unknown>, actorId: number): Record<string, unknown>;
  /** Where event subscriptions deliver (the local stack's `/webhooks/zendesk`); undefined: nowhere. */
  subscribe(targetUrl: string | undefined): void;
  /** Headers of one signed delivery of `rawBody`, as Zendesk would send them. */
  signedHeaders(rawBody: string, options?: { timestamp?: Date }): Record<string, string>;
  /** POSTs an envelope, signed, to a receiver: its answer. */
  deliver(targetUrl: string, envelope: Record<string, unknown>): Promise<{ status: number; body: string }>;
  /** Every event delivery so far, and the ones still in flight settled first. */
  deliveries(): Promise<readonly Delivery[]>;
  /** Requests served, by `METHOD path`. */
  readonly requests: readonly string[];
  reset(): void;
  close(): Promise<void>;
}

const upper = (value: string | null) => (value === null ? null : value.toUpperCase());
const stripJson = (path: string) => path.replace(/\.json$/, '');

/**
 * Zendesk's Support API for the local stack and the tests, with no Zendesk account: organizations (`create_or_update`
 * by external id, search by external id, show), users (`create_or_update` by email or external id), tickets (show,
 * `show_many`, update with `additional_tags` and an internal comment), API-token Basic auth (401 otherwise) and
 * Zendesk's error bodies; faults on demand (`POST /_sandbox/faults` `{ status, remaining, pathPrefix,
 * retryAfterSeconds }`: a 429 with `Retry-After` as Zendesk's rate limiter answers it).
 *
 * Event subscriptions: with a target set (`subscribe`, or `POST /_sandbox/subscribe` `{ targetUrl }`), a ticket
 * opened or changed here is delivered as Zendesk's signed event envelope — also a change made through the API, whose
 * `actor_id` is then the API user's (the write-back loop the stack must drop).
 */
export async function startZendeskSandbox(options: ZendeskSandboxOptions = {}): Promise<ZendeskSandbox> {
  const email = options.email ?? SANDBOX_ZENDESK_API_EMAIL;
  const apiToken = options.apiToken ?? SANDBOX_ZENDESK_API_TOKEN;
  const apiUserId = options.apiUserId ?? SANDBOX_ZENDESK_API_USER_ID;
  const expectedAuthorization = `Basic ${Buffer.from(`${email}/token:${apiToken}`, 'utf8').toString('base64')}`;
  const signer = zendeskWebhookSigner({ signingSecret: options.signingSecret ?? SANDBOX_ZENDESK_SIGNING_SECRET, webhookId: WEBHOOK_ID });
  const organizations = new Map<number, ZendeskSandboxOrganization>();
  const users = new Map<number, ZendeskSandboxUser>();
  const tickets = new Map<number, ZendeskSandboxTicket>();
  const faults: Fault[] = [];
  const requests: string[] = [];
  const delivered: Delivery[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let targetUrl: string | undefined;
  const idOffset = options.idOffset ?? 0;
  let nextOrganizationId = 360000000001 + idOffset;
  let nextUserId = 370000000001 + idOffset;
  let nextTicketId = 1001 + idOffset;

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
    response.end(body === undefined ? '' : JSON.stringify(body));
  };
  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const byExternalId = (externalId: string) => [...organizations.values()].find((organization) => organization.external_id?.toLowerCase() === externalId.toLowerCase());
  const publicTicket = (ticket: ZendeskSandboxTicket) => {
    const { comments: _comments, description: _description, ...rest } = ticket;
    return { ...rest, url: `${url}/api/v2/tickets/${ticket.id}.json` };
  };

  function ticketEvent(type: string, ticket: ZendeskSandboxTicket, event: Record<string, unknown>, actorId: number): Record<string, unknown> {
    return {
      type: `zen:event-type:${type}`,
      account_id: SANDBOX_ZENDESK_ACCOUNT_ID,
      id: randomUUID(),
      time: new Date().toISOString(),
      zendesk_event_version: EVENT_VERSION,
      subject: `zen:ticket:${ticket.id}`,
      detail: {
        actor_id: String(actorId),
        assignee_id: null,
        brand_id: '360000000000',
        created_at: ticket.created_at,
        description: ticket.description,
        external_id: null,
        id: String(ticket.id),
        is_public: true,
        organization_id: ticket.organization_id === null ? null : String(ticket.organization_id),
        priority: upper(ticket.priority),
        requester_id: ticket.requester_id === null ? null : String(ticket.requester_id),
        status: upper(ticket.status),
        subject: ticket.subject,
        submitter_id: ticket.requester_id === null ? null : String(ticket.requester_id),
        tags: [...ticket.tags],
        type: 'QUESTION',
        updated_at: ticket.updated_at,
        via: { channel: actorId === Number(apiUserId) ? 'api' : 'web_service' },
      },
      event,
    };
  }

  async function deliver(target: string, envelope: Record<string, unknown>): Promise<{ status: number; body: string }> {
    const rawBody = JSON.stringify(envelope);
    const answer = await fetch(target, { method: 'POST', headers: signer.headersFor(rawBody), body: rawBody });
    const result = { status: answer.status, body: await answer.text() };
    delivered.push({ envelope, ...result });
    return result;
  }

  /** Sends to the subscription, if any; tracked so that `deliveries()` waits for it. */
  function emit(envelope: Record<string, unknown>): Promise<Delivery | undefined> {
    if (targetUrl === undefined) return Promise.resolve(undefined);
    const sending = deliver(targetUrl, envelope).then((result) => ({ envelope, ...result }));
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending)).catch(() => undefined);
    return sending;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const path = stripJson(url.pathname);
    requests.push(`${request.method} ${path}`);

    if (request.method === 'POST' && path.startsWith('/_sandbox/')) {
      const body = JSON.parse(await readBody(request, 5 * 1024 * 1024)) as Record<string, unknown>;
      switch (path) {
        case '/_sandbox/faults': {
          const fault = body as unknown as Fault;
          faults.push({ ...fault, pathPrefix: fault.pathPrefix ?? '/' });
          return send(response, 200, { queued: true });
        }
        case '/_sandbox/subscribe':
          targetUrl = typeof body['targetUrl'] === 'string' ? body['targetUrl'] : undefined;
          return send(response, 200, { targetUrl: targetUrl ?? null });
        case '/_sandbox/users':
          return send(response, 201, { user: sandbox.createUser(body as { name: string; email: string; organizationId: number | null }) });
        case '/_sandbox/tickets': {
          const opened = await sandbox.openTicket(body as Parameters<ZendeskSandbox['openTicket']>[0]);
          return send(response, 201, { ticket: publicTicket(opened.ticket), delivery: opened.delivery ?? null });
        }
        case '/_sandbox/ticket-status': {
          const { id, status, actorId } = body as { id: number; status: ZendeskSandboxTicket['status']; actorId: number };
          return send(response, 200, { delivery: (await sandbox.changeTicketStatus(id, status, actorId)) ?? null });
        }
        case '/_sandbox/users-of':
          return send(response, 200, { users: sandbox.usersOf(Number(body['organizationId'])) });
        case '/_sandbox/deliveries':
          // Every delivery so far (in flight ones settled first), with the ticket's comments: what a test replays and checks.
          return send(response, 200, { deliveries: await sandbox.deliveries() });
        case '/_sandbox/ticket': {
          const ticket = sandbox.ticket(Number(body['id']));
          return ticket === undefined ? send(response, 404, { error: 'RecordNotFound' }) : send(response, 200, { ticket });
        }
        default:
          return send(response, 404, { error: 'InvalidEndpoint', description: `no sandbox route ${path}` });
      }
    }

    const fault = faults.find((candidate) => candidate.remaining > 0 && path.startsWith(candidate.pathPrefix));
    if (fault !== undefined) {
      fault.remaining--;
      if (fault.status === 429) {
        return send(response, 429, { error: 'TooManyRequests', description: 'Rate limit for ticket updates exceeded, please wait before updating this ticket again' }, {
          ...(fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) }),
        });
      }
      return send(response, fault.status, { error: 'InternalError', description: 'injected fault' });
    }

    if (request.headers.authorization !== expectedAuthorization) return send(response, 401, { error: "Couldn't authenticate you" });

    if (request.method === 'POST' && path === '/api/v2/organizations/create_or_update') {
      const { organization: given } = JSON.parse(await readBody(request, 1024 * 1024)) as { organization?: Partial<ZendeskSandboxOrganization> };
      if (given === undefined) return send(response, 400, { error: 'InvalidValue', description: 'organization is required' });
      const existing = given.external_id ? byExternalId(given.external_id) : undefined;
      if (existing !== undefined) {
        if (given.name !== undefined) existing.name = given.name;
        if (given.tags !== undefined) existing.tags = [...given.tags];
        if (given.organization_fields !== undefined) existing.organization_fields = { ...existing.organization_fields, ...given.organization_fields };
        existing.updated_at = now();
        return send(response, 200, { organization: existing });
      }
      if (!given.name) return send(response, 422, { error: 'RecordInvalid', description: 'Record validation errors', details: { name: [{ description: 'Name: cannot be blank' }] } });
      if ([...organizations.values()].some((organization) => organization.name === given.name)) {
        return send(response, 422, { error: 'RecordInvalid', description: 'Record validation errors', details: { name: [{ description: 'Name: has already been taken', error: 'DuplicateValue' }] } });
      }
      const created: ZendeskSandboxOrganization = {
        id: nextOrganizationId++,
        name: given.name,
        external_id: given.external_id ?? null,
        tags: [...(given.tags ?? [])],
        organization_fields: { ...given.organization_fields },
        created_at: now(),
        updated_at: now(),
      };
      organizations.set(created.id, created);
      return send(response, 201, { organization: created });
    }
    if (request.method === 'GET' && path === '/api/v2/organizations/search') {
      const externalId = url.searchParams.get('external_id');
      if (externalId === null) return send(response, 400, { error: 'InvalidValue', description: 'external_id or name is required' });
      const found = byExternalId(externalId);
      return send(response, 200, { organizations: found === undefined ? [] : [found], count: found === undefined ? 0 : 1, next_page: null, previous_page: null });
    }
    const organizationPath = /^\/api\/v2\/organizations\/(\d+)$/.exec(path);
    if (request.method === 'GET' && organizationPath) {
      const found = organizations.get(Number(organizationPath[1]));
      return found === undefined ? send(response, 404, { error: 'RecordNotFound', description: 'Not found' }) : send(response, 200, { organization: found });
    }
    if (request.method === 'POST' && path === '/api/v2/users/create_or_update') {
      const { user: given } = JSON.parse(await readBody(request, 1024 * 1024)) as { user?: Partial<ZendeskSandboxUser> };
      if (given === undefined || (!given.email && !given.external_id)) return send(response, 400, { error: 'InvalidValue', description: 'user email or external_id is required' });
      const existing = [...users.values()].find((user) => (given.email && user.email === given.email) || (given.external_id && user.external_id === given.external_id));
      if (existing !== undefined) {
        Object.assign(existing, Object.fromEntries(Object.entries(given).filter(([key]) => key !== 'id')));
        return send(response, 200, { user: existing });
      }
      const created: ZendeskSandboxUser = { id: nextUserId++, name: given.name ?? given.email ?? '', email: given.email ?? null, organization_id: given.organization_id ?? null, external_id: given.external_id ?? null, role: given.role ?? 'end-user' };
      users.set(created.id, created);
      return send(response, 201, { user: created });
    }
    if (request.method === 'GET' && path === '/api/v2/tickets/show_many') {
      const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
      if (ids.length > 100) return send(response, 400, { error: 'InvalidValue', description: 'at most 100 ids' });
      return send(response, 200, { tickets: ids.flatMap((id) => (tickets.has(Number(id)) ? [publicTicket(tickets.get(Number(id))!)] : [])) });
    }
    const ticketPath = /^\/api\/v2\/tickets\/(\d+)$/.exec(path);
    if (ticketPath) {
      const ticket = tickets.get(Number(ticketPath[1]));
      if (ticket === undefined) return send(response, 404, { error: 'RecordNotFound', description: 'Not found' });
      if (request.method === 'GET') return send(response, 200, { ticket: publicTicket(ticket) });
      if (request.method === 'PUT') {
        const { ticket: change } = JSON.parse(await readBody(request, 1024 * 1024)) as {
          ticket?: { priority?: ZendeskSandboxTicket['priority']; additional_tags?: string[]; comment?: { body: string; public?: boolean } };
        };
        if (change === undefined) return send(response, 400, { error: 'InvalidValue', description: 'ticket is required' });
        const before = { priority: ticket.priority, tags: [...ticket.tags] };
        if (change.priority !== undefined) ticket.priority = change.priority;
        for (const tag of change.additional_tags ?? []) if (!ticket.tags.includes(tag)) ticket.tags.push(tag);
        if (change.comment !== undefined) ticket.comments.push({ author_id: Number(apiUserId), body: change.comment.body, public: change.comment.public ?? true, created_at: now() });
        ticket.updated_at = now();
        // Zendesk fires the subscription for our own change too: the stack must recognise its own actor.
        if (before.priority !== ticket.priority) void emit(ticketEvent('ticket.priority_changed', ticket, { previous: upper(before.priority), current: upper(ticket.priority) }, Number(apiUserId)));
        if (before.tags.length !== ticket.tags.length) void emit(ticketEvent('ticket.tags_changed', ticket, { added: ticket.tags.filter((tag) => !before.tags.includes(tag)), removed: [] }, Number(apiUserId)));
        if (change.comment !== undefined) void emit(ticketEvent('ticket.comment_added', ticket, { comment: { is_public: change.comment.public ?? true, author: { id: apiUserId } } }, Number(apiUserId)));
        return send(response, 200, { ticket: publicTicket(ticket) });
      }
    }
    return send(response, 404, { error: 'InvalidEndpoint', description: `no route ${request.method} ${path}` });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, 500, { error: 'InternalError', description: error instanceof Error ? error.message : String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  const sandbox: ZendeskSandbox = {
    url,
    port,
    apiUserId,
    organization: (id) => organizations.get(Number(id)),
    organizationByExternalId: byExternalId,
    ticket: (id) => tickets.get(Number(id)),
    user: (id) => users.get(Number(id)),
    usersOf: (organizationId) => [...users.values()].filter((user) => user.organization_id === organizationId),
    createUser(fields) {
      const user: ZendeskSandboxUser = { id: nextUserId++, name: fields.name, email: fields.email, organization_id: fields.organizationId, external_id: null, role: 'end-user' };
      users.set(user.id, user);
      return user;
    },
    async openTicket(fields) {
      const at = now();
      const ticket: ZendeskSandboxTicket = {
        id: nextTicketId++,
        subject: fields.subject,
        description: fields.subject,
        status: 'new',
        priority: fields.priority ?? 'normal',
        organization_id: fields.organizationId,
        requester_id: fields.requesterId,
        tags: [],
        comments: [{ author_id: fields.requesterId, body: fields.subject, public: true, created_at: at }],
        created_at: at,
        updated_at: at,
      };
      tickets.set(ticket.id, ticket);
      return { ticket, delivery: await emit(ticketEvent('ticket.created', ticket, {}, fields.requesterId)) };
    },
    async changeTicketStatus(id, status, actorId) {
      const ticket = tickets.get(id);
      if (ticket === undefined) throw new Error(`no ticket ${id}`);
      const previous = ticket.status;
      ticket.status = status;
      ticket.updated_at = now();
      return emit(ticketEvent('ticket.status_changed', ticket, { previous: upper(previous), current: upper(status) }, actorId));
    },
    ticketEvent,
    subscribe(target) {
      targetUrl = target;
    },
    signedHeaders: (rawBody, signOptions) => signer.headersFor(rawBody, signOptions),
    deliver,
    async deliveries() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      return [...delivered];
    },
    requests,
    reset() {
      organizations.clear();
      users.clear();
      tickets.clear();
      faults.length = 0;
      requests.length = 0;
      delivered.length = 0;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
  return sandbox;
}
