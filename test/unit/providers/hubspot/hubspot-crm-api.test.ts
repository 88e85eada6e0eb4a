import { describe, expect, it } from 'vitest';
import { HubspotAuthError, HubspotCrmApi, HubspotRequestError, HubspotUnavailableError } from '../../../../functions/providers/hubspot/hubspot-crm-api';
import { RequestBucket } from '../../../../functions/platform/request-bucket';

/** A clock whose sleeps only move time on: what waited, and how long. */
function fakeClock(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)), random: () => 0.5 },
    sleeps,
    advance: (ms: number) => void (now += ms),
  };
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** HubSpot answering from a script, one answer per request, recording each request. */
function scriptedFetch(answers: Answer[]) {
  const requests: { method: string; url: string; body: unknown; authorization: string | null }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const headers = new Headers(init.headers);
    requests.push({ method: String(init.method), url, body: JSON.parse(String(init.body)), authorization: headers.get('authorization') });
    const answer = answers.shift() ?? { status: 500, body: { message: 'script exhausted' } };
    return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), { status: answer.status, headers: answer.headers ?? {} });
  }) as unknown as typeof fetch;
  return { fetchImpl, requests };
}

function client(answers: Answer[], options: { requestsPer10Seconds?: number; tokens?: string[] } = {}) {
  const time = fakeClock();
  const script = scriptedFetch(answers);
  const tokenReads: boolean[] = [];
  const tokens = options.tokens ?? ['pat-1'];
  const api = new HubspotCrmApi({
    token: async (refresh) => {
      tokenReads.push(refresh);
      return tokens[Math.min(tokenReads.filter(Boolean).length, tokens.length - 1)]!;
    },
    baseUrl: 'https://api.hubapi.test/',
    requestsPer10Seconds: options.requestsPer10Seconds ?? 100,
    fetch: script.fetchImpl,
    clock: time.clock,
  });
  return { api, ...script, ...time, tokenReads };
}

const ok = (results: unknown[], status = 200): Answer => ({ status, body: { status: 'COMPLETE', results } });

describe('HubSpot CRM client', () => {
  it('batch-reads with the properties asked for, in chunks of 100 ids, and returns records by id', async () => {
    const ids = Array.from({ length: 150 }, (_, index) => String(1000 + index));
    const { api, requests } = client([ok(ids.slice(0, 100).map((id) => ({ id, properties: { name: `c${id}` } }))), ok(ids.slice(100).map((id) => ({ id, properties: { name: `c${id}` } })))]);
    const records = await api.batchRead('companies', ids, ['name', 'domain']);
    expect(requests.map(({ method, url }) => `${method} ${url}`)).toEqual(['POST https://api.hubapi.test/crm/v3/objects/companies/batch/read', 'POST https://api.hubapi.test/crm/v3/objects/companies/batch/read']);
    expect(requests[0]!.body).toMatchObject({ properties: ['name', 'domain'], inputs: ids.slice(0, 100).map((id) => ({ id })) });
    expect(requests[0]!.authorization).toBe('Bearer pat-1');
    expect(records.size).toBe(150);
    expect(records.get('1149')?.properties).toEqual({ name: 'c1149' });
  });

  it('takes a 207 (some ids not found) as the records that were found', async () => {
    const { api } = client([{ status: 207, body: { status: 'COMPLETE', results: [{ id: '1', properties: {} }], numErrors: 1, errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['2'] } }] } }]);
    expect([...(await api.batchRead('deals', ['1', '2'], ['dealname'])).keys()]).toEqual(['1']);
  });

  it('reads associations in batch (v4), by the id they are from', async () => {
    const { api, requests } = client([{ status: 200, body: { status: 'COMPLETE', results: [{ from: { id: '7' }, to: [{ toObjectId: 9, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' }] }] }] } }]);
    const links = await api.batchAssociations('deals', 'companies', ['7']);
    expect(requests[0]!.url).toBe('https://api.hubapi.test/crm/v4/associations/deals/companies/batch/read');
    expect(links.get('7')).toEqual([{ toObjectId: '9', associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' }] }]);
  });

  it('waits for the bucket: at 2 requests / 10 s the third request waits 5 s', async () => {
    const { api, sleeps } = client([ok([]), ok([]), ok([])], { requestsPer10Seconds: 2 });
    for (let call = 0; call < 3; call++) await api.batchRead('contacts', ['1'], ['email']);
    expect(sleeps).toEqual([5_000]);
  });

  it('on 429 drains the bucket and retries after HubSpot’s Retry-After', async () => {
    const { api, sleeps, requests } = client([{ status: 429, body: { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' }, headers: { 'retry-after': '2' } }, ok([{ id: '1', properties: {} }])]);
    const records = await api.batchRead('contacts', ['1'], ['email']);
    expect(records.size).toBe(1);
    expect(requests).toHaveLength(2);
    // 2 s of Retry-After, then the drained bucket's token (1 of 100 per 10 s: 100 ms).
    expect(sleeps).toEqual([2_000]);
  });

  it('on 429 without Retry-After waits HubSpot’s whole rate interval, not a backoff cut short', async () => {
    const { api, sleeps, requests } = client([{ status: 429, body: { message: 'slow down', policyName: 'TEN_SECONDLY_ROLLING' }, headers: { 'x-hubspot-ratelimit-interval-milliseconds': '10000' } }, ok([{ id: '1', properties: {} }])]);
    await expect(api.batchRead('contacts', ['1'], ['email'])).resolves.toHaveProperty('size', 1);
    expect(requests).toHaveLength(2);
    expect(sleeps).toEqual([10_000]);
  });

  it('does not retry a 429 of the DAILY policy: HubspotUnavailableError at once', async () => {
    const { api, requests } = client([{ status: 429, body: { status: 'error', message: 'daily limit', policyName: 'DAILY' } }]);
    await expect(api.batchRead('contacts', ['1'], ['email'])).rejects.toBeInstanceOf(HubspotUnavailableError);
    expect(requests).toHaveLength(1);
  });

  it('gives up without waiting when a 429’s wait would end after the caller’s deadline (the ingest answers 503 instead)', async () => {
    const { api, sleeps, clock } = client([{ status: 429, body: { policyName: 'TEN_SECONDLY_ROLLING', message: 'slow down' }, headers: { 'retry-after': '10' } }]);
    await expect(api.batchRead('deals', ['1'], ['amount'], { deadline: clock.now() + 3_000 })).rejects.toThrow(/429 TEN_SECONDLY_ROLLING/);
    expect(sleeps).toEqual([]);
  });

  it('refuses to queue behind an empty bucket past the deadline', async () => {
    const { api, clock, sleeps } = client([ok([]), ok([])], { requestsPer10Seconds: 1 });
    await api.batchRead('deals', ['1'], ['amount']);
    await expect(api.batchRead('deals', ['2'], ['amount'], { deadline: clock.now() + 1_000 })).rejects.toThrow(/CLIENT_RATE_LIMIT/);
    expect(sleeps).toEqual([]);
  });

  it('aborts a request still in flight at the deadline: a hanging HubSpot does not outlive the ingest', async () => {
    const time = fakeClock();
    const hanging = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as unknown as typeof fetch;
    const api = new HubspotCrmApi({ token: async () => 'pat', requestsPer10Seconds: 100, fetch: hanging, clock: time.clock });
    const startedAt = Date.now();
    await expect(api.batchRead('deals', ['1'], ['amount'], { deadline: time.clock.now() + 50 })).rejects.toThrow(/no answer within 50 ms/);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

    it('retries a 5xx with backoff, then says unavailable', async () => {
    const { api, requests, sleeps } = client([{ status: 502 }, { status: 503 }, { status: 500 }, { status: 500 }]);
    await expect(api.batchRead('deals', ['1'], ['amount'])).rejects.toBeInstanceOf(HubspotUnavailableError);
    expect(requests).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
  });

  it('reads the token again once on a 401 (rotated), then refuses with HubspotAuthError', async () => {
    const rotated = client([{ status: 401, body: { message: 'expired', category: 'INVALID_AUTHENTICATION' } }, ok([])], { tokens: ['pat-old', 'pat-new'] });
    await rotated.api.batchRead('deals', ['1'], ['amount']);
    expect(rotated.tokenReads).toEqual([false, true]);
    expect(rotated.requests.map((request) => request.authorization)).toEqual(['Bearer pat-old', 'Bearer pat-new']);

    const revoked = client([{ status: 401, body: { message: 'expired' } }, { status: 401, body: { message: 'expired' } }]);
    await expect(revoked.api.batchRead('deals', ['1'], ['amount'])).rejects.toBeInstanceOf(HubspotAuthError);
  });

  it('refuses a 400 without retrying, and PATCHes properties on update', async () => {
    const { api, requests } = client([{ status: 400, body: { message: 'Property values were not valid', category: 'VALIDATION_ERROR' } }, { status: 200, body: { id: '5', properties: { odoo_partner_id: '42' } } }]);
    await expect(api.update('companies', '5', { bogus: 'x' })).rejects.toBeInstanceOf(HubspotRequestError);
    const updated = await api.update('companies', '5', { odoo_partner_id: '42' });
    expect(requests.map(({ method, url, body }) => [method, url, body])).toEqual([
      ['PATCH', 'https://api.hubapi.test/crm/v3/objects/companies/5', { properties: { bogus: 'x' } }],
      ['PATCH', 'https://api.hubapi.test/crm/v3/objects/companies/5', { properties: { odoo_partner_id: '42' } }],
    ]);
    expect(updated).toEqual({ id: '5', properties: { odoo_partner_id: '42' } });
  });

  it('creates a record with its associations in one request, and never sends a create again whose answer was lost (a second record) — only one HubSpot refused with 429', async () => {
    const lost = client([{ status: 503, body: { message: 'upstream timeout' } }]);
    await expect(lost.api.create('tasks', { hs_task_subject: 'Call' }, [{ toId: '101', typeId: 192 }])).rejects.toBeInstanceOf(HubspotUnavailableError);
    expect(lost.requests).toHaveLength(1);
    expect(lost.requests[0]).toMatchObject({ method: 'POST', url: 'https://api.hubapi.test/crm/v3/objects/tasks', body: { properties: { hs_task_subject: 'Call' }, associations: [{ to: { id: '101' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 192 }] }] } });

    const limited = client([{ status: 429, body: { message: 'limit', policyName: 'TEN_SECONDLY_ROLLING' }, headers: { 'Retry-After': '1' } }, { status: 201, body: { id: 9001, properties: {} } }]);
    expect((await limited.api.create('tasks', { hs_task_subject: 'Call' })).id).toBe('9001');
    expect(limited.requests).toHaveLength(2);
  });

  it('searches with EQ filters ANDed, and returns the records found', async () => {
    const { api, requests } = client([ok([{ id: 77, properties: { saas_sync_key: 'k' } }])]);
    expect(await api.searchEqual('notes', { saas_sync_key: 'k' }, ['saas_sync_key'], 1)).toEqual([{ id: '77', properties: { saas_sync_key: 'k' } }]);
    expect(requests[0]).toMatchObject({ url: 'https://api.hubapi.test/crm/v3/objects/notes/search', body: { filterGroups: [{ filters: [{ propertyName: 'saas_sync_key', operator: 'EQ', value: 'k' }] }], properties: ['saas_sync_key'], limit: 1 } });
  });
});

describe('the request bucket', () => {
  it('refills continuously over the window and never above its capacity', async () => {
    const { clock, advance } = fakeClock();
    const bucket = new RequestBucket(10, 10_000, clock);
    for (let request = 0; request < 10; request++) expect(await bucket.take()).toBe(true);
    expect(bucket.waitMs()).toBe(1_000);
    advance(60_000);
    for (let request = 0; request < 10; request++) expect(await bucket.take(clock.now())).toBe(true);
    expect(await bucket.take(clock.now())).toBe(false);
  });

  it('drain() leaves nothing for the rest of the window', () => {
    const { clock } = fakeClock();
    const bucket = new RequestBucket(100, 10_000, clock);
    bucket.drain();
    expect(bucket.waitMs()).toBe(100);
  });

});
