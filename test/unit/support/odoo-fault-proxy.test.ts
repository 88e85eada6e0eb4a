import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOdooFaultProxy } from '../../support/odoo-fault-proxy';

/** The fault proxy the chaos bench and the outage test put in front of Odoo: each fault does what it says. */

let upstream: Server;
let upstreamUrl: string;

beforeAll(async () => {
  upstream = createServer((request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: request.url })));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

describe('the Odoo fault proxy', () => {
  it('passes requests through, refuses connections while down, and comes back on the same URL', async () => {
    const proxy = await startOdooFaultProxy(upstreamUrl);
    try {
      expect(await (await fetch(`${proxy.url}/web/version`)).json()).toEqual({ path: '/web/version' });
      await proxy.setFault({ kind: 'down' });
      const refused = await fetch(`${proxy.url}/web/version`).then(
        () => 'answered',
        (error: Error & { cause?: { code?: string } }) => error.cause?.code,
      );
      expect(refused).toBe('ECONNREFUSED');
      await proxy.setFault({ kind: 'pass' });
      expect((await fetch(`${proxy.url}/web/version`)).status).toBe(200);
      expect(proxy.counts.forwarded).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it('answers the given share of calls 502/503 without forwarding them', async () => {
    const draws = [0.1, 0.5, 0.15, 0.9];
    const proxy = await startOdooFaultProxy(upstreamUrl, { random: () => draws.shift() ?? 0.99 });
    try {
      await proxy.setFault({ kind: 'errors', percent: 20 });
      const statuses = [];
      for (let call = 0; call < 4; call += 1) statuses.push((await fetch(`${proxy.url}/json/2/res.partner/read`, { method: 'POST', body: '{}' })).status);
      expect(statuses).toEqual([502, 200, 503, 200]);
      expect(proxy.counts).toMatchObject({ requests: 4, forwarded: 2, injectedErrors: 2 });
    } finally {
      await proxy.close();
    }
  });

  it('adds latency before forwarding', async () => {
    const proxy = await startOdooFaultProxy(upstreamUrl);
    try {
      await proxy.setFault({ kind: 'latency', ms: 300 });
      const startedAt = performance.now();
      expect((await fetch(`${proxy.url}/web/version`)).status).toBe(200);
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
    } finally {
      await proxy.close();
    }
  });
});
