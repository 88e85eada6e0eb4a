import { beforeEach, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../../functions/erp/odoo/circuit-breaker';
import { resetDatabaseGuards } from '../../../../functions/erp/odoo/database-guards';
import {
  OdooAccessError,
  OdooCircuitOpenError,
  OdooTimeoutError,
  OdooUnavailableError,
  OdooUserError,
} from '../../../../functions/erp/odoo/odoo-errors';
import { backoffDelayMs } from '../../../../functions/erp/odoo/retry-policy';
import { fakeClock, fakeKeys, jsonResponse, recordedClient, recording, type SeenRequest } from './recorded-odoo';

/** A JSON-2 server scripted per request: `answers[i]` answers the i-th request (the last one repeats). */
function scripted(...answers: Array<() => Response | Promise<Response>>) {
  const requests: SeenRequest[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({
      method: init?.method ?? 'GET',
      path: new URL(String(input)).pathname,
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : null,
    });
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
    return answer();
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

const ok = (body: unknown = true) => () => jsonResponse(200, body);
const unavailable = () => new Response('<html>503</html>', { status: 503 });
const gatewayTimeout = () => new Response('<html>504</html>', { status: 504 });
const userError = () => jsonResponse(422, recording('19.0-json2', 'account.move.action_post.again').response.body);

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

beforeEach(() => resetDatabaseGuards());

describe('retries', () => {
  it('backoff is full jitter: uniform below a ceiling that doubles per retry and is capped', () => {
    const settings = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000, maxTotalMs: 60_000 };
    const ceilings = [1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, settings, () => 0.999999));
    const floors = [1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, settings, () => 0));
    expect(ceilings).toEqual([99, 199, 399, 799, 999, 999]);
    expect(floors).toEqual([0, 0, 0, 0, 0, 0]);
    expect(backoffDelayMs(1, settings, () => 0, 700)).toBe(700);
    expect(backoffDelayMs(1, settings, () => 0, 5000)).toBe(1000);
  });

  it('a 503 is retried with jittered backoff until it succeeds', async () => {
    // Prepare
    const server = scripted(unavailable, unavailable, ok([7]));
    const clock = fakeClock([0.5]);
    const client = recordedClient('19.0-json2', server, { clock, connection: { retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5000, maxTotalMs: 60_000 } } });
    // Act
    const result = await client.call('res.partner', 'search', { domain: [] });
    // Assess
    expect(result).toEqual([7]);
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    // Prepare
    const server = scripted(unavailable);
    const clock = fakeClock([0.999]);
    const client = recordedClient('19.0-json2', server, { clock, connection: { retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 150, maxTotalMs: 60_000 } } });
    // Act
    const error = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    // Assess
    expect(error).toBeInstanceOf(OdooUnavailableError);
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
    expect(clock.sleeps.every((ms, i) => ms >= 0 && ms < Math.min(150, 100 * 2 ** i))).toBe(true);
  });

  it('gives up when the next wait would exceed maxTotalMs', async () => {
    // Prepare
    const server = scripted(unavailable);
    const clock = fakeClock([0.999]);
    const client = recordedClient('19.0-json2', server, { clock, connection: { retry: { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 10_000, maxTotalMs: 2500 } } });
    // Act
    const error = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    // Assess: waits ~999 then ~1998 would pass 2500 ms
    expect(error).toBeInstanceOf(OdooUnavailableError);
    expect(clock.sleeps).toEqual([999]);
    expect(server.requests).toHaveLength(2);
  });

  it('a permanent error is not retried', async () => {
    const server = scripted(userError);
    const client = recordedClient('19.0-json2', server);
    expect(await failureOf(client.call('account.move', 'action_post', { ids: [1] }))).toBeInstanceOf(OdooUserError);
    expect(server.requests).toHaveLength(1);
  });

  it('a create that may have been applied (gateway timeout) is not repeated: no duplicate invoice', async () => {
    const server = scripted(gatewayTimeout, ok([1]));
    const client = recordedClient('19.0-json2', server);
    expect(await failureOf(client.call('account.move', 'create', { vals_list: [{}] }))).toBeInstanceOf(OdooUnavailableError);
    expect(server.requests).toHaveLength(1);
  });

  it('a create the server refused (503) is retried, and so is a read after a gateway timeout', async () => {
    const refused = scripted(unavailable, ok([1]));
    expect(await recordedClient('19.0-json2', refused).call('account.move', 'create', { vals_list: [{}] })).toEqual([1]);
    resetDatabaseGuards();
    const read = scripted(gatewayTimeout, ok([]));
    expect(await recordedClient('19.0-json2', read).call('account.move', 'search_read', { domain: [], fields: ['name'] })).toEqual([]);
    expect(refused.requests).toHaveLength(2);
    expect(read.requests).toHaveLength(2);
  });
});

describe('timeout', () => {
  it('a request without an answer within timeoutMs is aborted and ends as OdooTimeoutError', async () => {
    // Prepare
    let aborted = false;
    const fetch = ((_input: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new DOMException('aborted', 'AbortError'));
        });
      })) as typeof globalThis.fetch;
    const client = recordedClient('19.0-json2', { fetch }, { connection: { timeoutMs: 20, retry: { maxAttempts: 1 } } });
    // Act
    const error = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    // Assess
    expect(error).toBeInstanceOf(OdooTimeoutError);
    expect((error as OdooTimeoutError).retryable).toBe(true);
    expect(aborted).toBe(true);
  });
});

describe('circuit breaker', () => {
  const settings = { failureThreshold: 3, openMs: 10_000, ratePerSecond: 10_000, retry: { maxAttempts: 1 } };

  it('opens after N consecutive transient failures and then fails fast without calling Odoo', async () => {
    // Prepare
    const server = scripted(unavailable);
    const clock = fakeClock();
    const client = recordedClient('19.0-json2', server, { clock, connection: { ...settings, breaker: settings } });
    for (let i = 0; i < 3; i++) await failureOf(client.call('res.partner', 'search', { domain: [] }));
    // Act
    const error = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    // Assess
    expect(error).toBeInstanceOf(OdooCircuitOpenError);
    expect((error as OdooCircuitOpenError).retryable).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  it('half-open after openMs lets one trial through; a healthy trial closes it', async () => {
    // Prepare
    let healthy = false;
    let releaseTrial: () => void = () => undefined;
    const trialGate = new Promise<void>((resolve) => (releaseTrial = resolve));
    const server = scripted(async () => {
      if (!healthy) return unavailable();
      await trialGate;
      return jsonResponse(200, [1]);
    });
    const clock = fakeClock();
    const client = recordedClient('19.0-json2', server, { clock, connection: { ...settings, breaker: settings } });
    for (let i = 0; i < 3; i++) await failureOf(client.call('res.partner', 'search', { domain: [] }));
    clock.advance(10_000);
    healthy = true;
    // Act
    const trial = client.call('res.partner', 'search', { domain: [] });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const duringTrial = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    releaseTrial();
    const trialResult = await trial;
    const afterTrial = await client.call('res.partner', 'search', { domain: [] }).catch((e: unknown) => e);
    // Assess
    expect(duringTrial).toBeInstanceOf(OdooCircuitOpenError);
    expect(trialResult).toEqual([1]);
    expect(afterTrial).not.toBeInstanceOf(Error);
    expect(server.requests).toHaveLength(5);
  });

  it('a failed trial opens the circuit again for openMs', async () => {
    // Prepare
    const server = scripted(unavailable);
    const clock = fakeClock();
    const client = recordedClient('19.0-json2', server, { clock, connection: { ...settings, breaker: settings } });
    for (let i = 0; i < 3; i++) await failureOf(client.call('res.partner', 'search', { domain: [] }));
    clock.advance(10_000);
    // Act
    const trial = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    clock.advance(9_999);
    const stillOpen = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    // Assess
    expect(trial).toBeInstanceOf(OdooUnavailableError);
    expect(stillOpen).toBeInstanceOf(OdooCircuitOpenError);
    expect(server.requests).toHaveLength(4);
  });

  it('Odoo business errors do not count: the server answered', async () => {
    const server = scripted(userError);
    const client = recordedClient('19.0-json2', server, { connection: { ...settings, breaker: settings } });
    for (let i = 0; i < 5; i++) await failureOf(client.call('account.move', 'action_post', { ids: [1] }));
    expect(await failureOf(client.call('account.move', 'action_post', { ids: [1] }))).toBeInstanceOf(OdooUserError);
    expect(server.requests).toHaveLength(6);
  });

  it('transitions closed → open → half-open → closed', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 100 }, () => now);
    const states = [breaker.state()];
    breaker.record(breaker.pass(), 'outage');
    breaker.record(breaker.pass(), 'outage');
    states.push(breaker.state());
    now = 100;
    states.push(breaker.state());
    breaker.record(breaker.pass(), 'healthy');
    states.push(breaker.state());
    expect(states).toEqual(['closed', 'open', 'half-open', 'closed']);
  });

  it('is shared by every client of the same database in the container', async () => {
    const server = scripted(unavailable);
    const first = recordedClient('19.0-json2', server, { connection: { ...settings, breaker: settings } });
    for (let i = 0; i < 3; i++) await failureOf(first.call('res.partner', 'search', { domain: [] }));
    const second = recordedClient('19.0-json2', server, { connection: { ...settings, breaker: settings } });
    expect(await failureOf(second.call('res.partner', 'search', { domain: [] }))).toBeInstanceOf(OdooCircuitOpenError);
  });
});

describe('concurrency and rate limits', () => {
  it('never has more than maxConcurrency requests in flight, across clients of one database', async () => {
    // Prepare
    let inFlight = 0;
    let maxInFlight = 0;
    const fetch = (async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return jsonResponse(200, [1]);
    }) as typeof globalThis.fetch;
    const connection = { maxConcurrency: 3, ratePerSecond: 10_000 };
    const clients = [recordedClient('19.0-json2', { fetch }, { connection }), recordedClient('19.0-json2', { fetch }, { connection })];
    // Act
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => clients[i % 2]!.call('res.partner', 'search', { domain: [] })));
    // Assess
    expect(results).toHaveLength(24);
    expect(maxInFlight).toBe(3);
  });

  it('spaces requests at ratePerSecond once the burst is spent', async () => {
    // Prepare
    const clock = fakeClock();
    const sentAt: number[] = [];
    const fetch = (async () => {
      sentAt.push(clock.now());
      return jsonResponse(200, [1]);
    }) as typeof globalThis.fetch;
    const client = recordedClient('19.0-json2', { fetch }, { clock, connection: { ratePerSecond: 5, maxConcurrency: 10 } });
    const start = clock.now();
    // Act
    await Promise.all(Array.from({ length: 8 }, () => client.call('res.partner', 'search', { domain: [] })));
    // Assess
    expect(sentAt.map((t) => t - start)).toEqual([0, 0, 0, 0, 0, 200, 400, 600]);
  });
});

describe('API key rotation', () => {
  it('JSON-2: on 401 the key is re-read once and the call succeeds with the rotated key', async () => {
    // Prepare
    const server = scripted(() => jsonResponse(401, recording('19.0-json2', 'auth.bad_key').response.body), ok([3]));
    const keys = fakeKeys('old-key', 'new-key');
    const client = recordedClient('19.0-json2', server, { apiKey: keys });
    // Act
    const result = await client.call('res.partner', 'search', { domain: [], limit: 1 });
    // Assess
    expect(result).toEqual([3]);
    expect(keys.invalidations).toBe(1);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['bearer old-key', 'bearer new-key']);
  });

  it('JSON-2: still rejected after one re-read → OdooAccessError, after exactly 2 requests', async () => {
    const server = scripted(() => jsonResponse(401, recording('19.0-json2', 'auth.bad_key').response.body));
    const keys = fakeKeys('old-key', 'new-key', 'newer-key');
    const client = recordedClient('19.0-json2', server, { apiKey: keys });
    expect(await failureOf(client.call('res.partner', 'search', { domain: [] }))).toBeInstanceOf(OdooAccessError);
    expect(keys.invalidations).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it('JSON-RPC: an AccessDenied drops the cached uid, re-reads the key and logs in again', async () => {
    // Prepare
    const rpc = (result: unknown) => () => jsonResponse(200, { jsonrpc: '2.0', id: 1, result });
    const accessDenied = () => jsonResponse(200, recording('18.0', 'execute_kw.bad_password').response.body);
    const server = scripted(rpc(2), accessDenied, rpc(2), rpc([557]));
    const keys = fakeKeys('old-key', 'new-key');
    const client = recordedClient('18.0', server, { apiKey: keys });
    // Act
    const result = await client.call('res.partner', 'search', { domain: [] });
    // Assess
    expect(result).toEqual([557]);
    expect(keys.invalidations).toBe(1);
    expect(client.callCounts()).toEqual({ 'common.authenticate': 2, 'res.partner.search': 2 });
    const keysSent = server.requests.map((r) => (r.body as { params: { args: unknown[] } }).params.args[2]);
    expect(keysSent).toEqual(['old-key', 'old-key', 'new-key', 'new-key']);
  });

  it('JSON-RPC: the uid is fetched once and reused by later calls', async () => {
    const server = scripted(() => jsonResponse(200, { jsonrpc: '2.0', id: 1, result: 2 }));
    const client = recordedClient('18.0', server);
    await client.call('res.partner', 'search_count', { domain: [] });
    await client.call('res.partner', 'search_count', { domain: [] });
    expect(client.callCounts()).toEqual({ 'common.authenticate': 1, 'res.partner.search_count': 2 });
  });
});

describe('call counting', () => {
  it('reports every HTTP exchange to onCall with its operation and status', async () => {
    const events: Array<{ operation: string; status: number | undefined }> = [];
    const server = scripted(unavailable, ok([1]));
    const client = recordedClient('19.0-json2', server, { onCall: ({ operation, status }) => events.push({ operation, status }) });
    await client.call('res.partner', 'search', { domain: [] });
    expect(events).toEqual([
      { operation: 'res.partner.search', status: 503 },
      { operation: 'res.partner.search', status: 200 },
    ]);
    expect(client.callCounts()).toEqual({ 'res.partner.search': 2 });
  });
});
