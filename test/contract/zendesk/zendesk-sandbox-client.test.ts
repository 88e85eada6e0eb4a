import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZendeskApi, ZendeskAuthError, ZendeskRequestError, ZendeskUnavailableError } from '../../../functions/providers/zendesk/zendesk-api';
import { zendeskSupportDesk } from '../../../functions/providers/zendesk/zendesk-support-desk';
import { SANDBOX_ZENDESK_API_EMAIL, SANDBOX_ZENDESK_API_TOKEN, startZendeskSandbox, type ZendeskSandbox } from '../../../local/sandboxes/zendesk/server';
import { fakeRetryClock } from '../../support/fake-retry-clock';
import { resolveStage } from '../../../lib/config/stages';

// The local stage's organization field keys: the ones the stack pushes under npm start and in the e2e tests.
const FIELD_KEYS = resolveStage('local').config.zendesk!.organizationFields;

const fields = (watermark: string, standing = 'active') => ({
  plan: 'Pro',
  tier: 'premium',
  standing,
  standingSince: '2026-01-01T00:00:00.000Z',
  odooPartnerId: '42',
  billingCustomerId: 'stripe:cus_1',
  mrr: '20.00 USD',
  watermark,
});

/** The stack's Zendesk client and support desk against the Zendesk sandbox, over HTTP, as they would talk to Zendesk. */
describe('Zendesk client against the Zendesk sandbox', () => {
  let sandbox: ZendeskSandbox;
  const client = (options: { apiToken?: string; maxTotalMs?: number; requestsPerMinute?: number } = {}) =>
    new ZendeskApi({
      baseUrl: sandbox.url,
      credentials: async () => ({ email: SANDBOX_ZENDESK_API_EMAIL, apiToken: options.apiToken ?? SANDBOX_ZENDESK_API_TOKEN }),
      requestsPerMinute: options.requestsPerMinute ?? 700,
      retry: { baseDelayMs: 10, maxTotalMs: options.maxTotalMs ?? 5_000 },
    });
  const desk = () => zendeskSupportDesk({ api: client(), fieldKeys: FIELD_KEYS, agentUrl: sandbox.url });
  const fault = async (fault: Record<string, unknown>) => {
    const response = await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify(fault) });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    sandbox = await startZendeskSandbox({ port: 0 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(() => sandbox.reset());

  it('creates an organization by external id, then updates the same one (create_or_update), and finds it by external id', async () => {
    const api = client();
    const created = await api.createOrUpdateOrganization({ name: 'Acme', external_id: 'cust-1', tags: ['saas_tier_premium'], organization_fields: { [FIELD_KEYS.plan]: 'Pro' } });
    const updated = await api.createOrUpdateOrganization({ name: 'Acme', external_id: 'cust-1', tags: ['saas_tier_standard'], organization_fields: { [FIELD_KEYS.plan]: 'Starter' } });
    expect(updated.id).toBe(created.id);
    expect(updated).toMatchObject({ tags: ['saas_tier_standard'], organization_fields: { [FIELD_KEYS.plan]: 'Starter' } });
    expect((await api.organizationsByExternalId('cust-1')).map((organization) => organization.id)).toEqual([created.id]);
    expect(await api.organizationsByExternalId('nobody')).toEqual([]);
    expect((await api.organization(String(created.id)))?.external_id).toBe('cust-1');
    expect(await api.organization('1')).toBeUndefined();
  });

  it('links a user to an organization (create_or_update by email)', async () => {
    const api = client();
    const organization = await api.createOrUpdateOrganization({ name: 'Acme', external_id: 'cust-1' });
    const first = await api.createOrUpdateUser({ name: 'Billing', email: 'billing@acme.example', organization_id: organization.id });
    const again = await api.createOrUpdateUser({ name: 'Billing Team', email: 'billing@acme.example', organization_id: organization.id });
    expect(again).toMatchObject({ id: first.id, name: 'Billing Team', organization_id: organization.id });
  });

  it('shows tickets one by one and many at once, and updates priority, tags and an internal note', async () => {
    const api = client();
    const requester = sandbox.createUser({ name: 'Ada', email: 'ada@acme.example', organizationId: null });
    const { ticket: one } = await sandbox.openTicket({ subject: 'Cannot log in', requesterId: requester.id, organizationId: null });
    const { ticket: two } = await sandbox.openTicket({ subject: 'Invoice question', requesterId: requester.id, organizationId: null });
    expect((await api.ticket(String(one.id)))?.subject).toBe('Cannot log in');
    expect(await api.ticket('999999')).toBeUndefined();
    expect([...(await api.tickets([String(one.id), String(two.id), '999999'])).keys()].sort()).toEqual([String(one.id), String(two.id)].sort());
    const updated = await api.updateTicket(String(one.id), { priority: 'high', additional_tags: ['billing_past_due'], comment: { body: 'why', public: false } });
    expect(updated).toMatchObject({ priority: 'high', tags: ['billing_past_due'] });
    expect(sandbox.ticket(one.id)?.comments.at(-1)).toMatchObject({ body: 'why', public: false, author_id: Number(sandbox.apiUserId) });
  });

  it('rides out a 429 (Retry-After honoured), and gives up with ZendeskUnavailableError past its time budget', async () => {
    await fault({ status: 429, remaining: 1, pathPrefix: '/api/v2/organizations/search', retryAfterSeconds: 1 });
    const startedAt = Date.now();
    expect(await client().organizationsByExternalId('cust-1')).toEqual([]);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
    await fault({ status: 429, remaining: 5, pathPrefix: '/api/v2/organizations/search', retryAfterSeconds: 30 });
    await expect(client({ maxTotalMs: 2_000 }).organizationsByExternalId('cust-1')).rejects.toBeInstanceOf(ZendeskUnavailableError);
  });

  it('refuses a wrong token (ZendeskAuthError, permanent) and a bad request (ZendeskRequestError)', async () => {
    await expect(client({ apiToken: 'wrong' }).organizationsByExternalId('cust-1')).rejects.toBeInstanceOf(ZendeskAuthError);
    await expect(client().createOrUpdateOrganization({ name: '', external_id: 'cust-2' })).rejects.toBeInstanceOf(ZendeskRequestError);
  });

  it('a second company of the same name gets its own organization, named after its customer too (Zendesk names are unique), every push alike', async () => {
    const support = desk();
    const push = (externalId: string) =>
      support.upsertOrganization({ externalId, name: 'Globex Ltd', managedTagPrefix: 'saas_', fields: fields('2026-03-01T00:00:00.000Z|evt_9'), managedTags: ['saas_tier_basic'] });
    expect((await push('cust-globex-uk')).outcome).toBe('written');
    expect((await push('cust-globex-us')).outcome).toBe('written');
    expect((await push('cust-globex-us')).outcome).toBe('written');
    expect(sandbox.organizationByExternalId('cust-globex-uk')?.name).toBe('Globex Ltd');
    expect(sandbox.organizationByExternalId('cust-globex-us')?.name).toBe('Globex Ltd (cust-globex-us)');
  });

  it('pushes an organization with the stage’s field keys, keeps others’ tags, and refuses an older watermark than the one it holds', async () => {
    const support = desk();
    const organization = { externalId: 'cust-1', name: 'Acme', managedTagPrefix: 'saas_' };
    const first = await support.upsertOrganization({ ...organization, fields: fields('2026-02-01T00:00:00.000Z|evt_2'), managedTags: ['saas_tier_premium', 'saas_standing_active'] });
    expect(first.outcome).toBe('written');
    const stored = sandbox.organizationByExternalId('cust-1')!;
    stored.tags.push('vip_by_agent');
    const newer = await support.upsertOrganization({ ...organization, fields: fields('2026-02-02T00:00:00.000Z|evt_3', 'past_due'), managedTags: ['saas_tier_premium', 'saas_standing_past_due'] });
    expect(newer.outcome).toBe('written');
    const stale = await support.upsertOrganization({ ...organization, fields: fields('2026-02-01T00:00:00.000Z|evt_2'), managedTags: ['saas_tier_premium', 'saas_standing_active'] });
    expect(stale).toEqual({ outcome: 'stale', organizationId: String(stored.id), deskWatermark: '2026-02-02T00:00:00.000Z|evt_3' });
    await support.linkContact(String(stored.id), { name: 'Acme billing', email: 'billing@acme.example' });
    await support.linkContact(String(stored.id), { name: 'Acme billing', email: 'billing@acme.example' });
    expect(sandbox.usersOf(stored.id)).toMatchObject([{ name: 'Acme billing', email: 'billing@acme.example', role: 'end-user' }]);
    expect(sandbox.organizationByExternalId('cust-1')).toMatchObject({
      tags: ['saas_standing_past_due', 'saas_tier_premium', 'vip_by_agent'],
      organization_fields: { [FIELD_KEYS.standing]: 'past_due', [FIELD_KEYS.plan]: 'Pro', [FIELD_KEYS.odooPartnerId]: '42', [FIELD_KEYS.watermark]: '2026-02-02T00:00:00.000Z|evt_3' },
    });
  });
});

describe('Zendesk client rate bucket', () => {
  it('spaces requests at the stage’s rate once the minute’s budget is spent', async () => {
    const { clock, sleeps } = fakeRetryClock();
    const api = new ZendeskApi({
      baseUrl: 'https://acme.zendesk.example',
      credentials: async () => ({ email: 'a@b.example', apiToken: 't' }),
      requestsPerMinute: 200,
      clock,
      fetch: async () => new Response(JSON.stringify({ organizations: [] }), { status: 200 }),
    });
    for (let request = 0; request < 201; request++) await api.organizationsByExternalId('cust-1');
    // 200 a minute: the 201st waits for one token, 60 s / 200 = 300 ms.
    expect(sleeps).toEqual([300]);
  });
});
