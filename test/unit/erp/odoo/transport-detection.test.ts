import { beforeEach, describe, expect, it } from 'vitest';
import { resetDatabaseGuards } from '../../../../functions/erp/odoo/database-guards';
import { OdooUnavailableError } from '../../../../functions/erp/odoo/odoo-errors';
import { noWebVersionRoute, recordedClient, recordedOdoo } from './recorded-odoo';

beforeEach(() => resetDatabaseGuards());

describe('transport detection', () => {
  it('auto on Odoo 19: GET /web/version once, then JSON-2 for every call', async () => {
    // Prepare
    const odoo = recordedOdoo('19.0-json2');
    const client = recordedClient('19.0-json2', odoo, { connection: { transport: 'auto' } });
    // Act
    await client.call('res.partner', 'search_count', { domain: [['customer_rank', '>', 0]] });
    await client.call('res.partner', 'search_count', { domain: [['customer_rank', '>', 0]] });
    // Assess
    expect(await client.transportKind()).toBe('json2');
    expect(odoo.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /web/version',
      'POST /json/2/res.partner/search_count',
      'POST /json/2/res.partner/search_count',
    ]);
  });

  it('auto on Odoo 18 (no /web/version): falls back to common.version and uses JSON-RPC', async () => {
    // Prepare
    const odoo = recordedOdoo('18.0', [noWebVersionRoute]);
    const client = recordedClient('18.0', odoo, { connection: { transport: 'auto' } });
    // Act
    const count = await client.call('res.partner', 'search_count', { domain: [['customer_rank', '>', 0]] });
    // Assess
    expect(count).toBe(2);
    expect(await client.transportKind()).toBe('jsonrpc');
    expect(client.callCounts()).toEqual({ 'web.version': 1, 'common.version': 1, 'common.authenticate': 1, 'res.partner.search_count': 1 });
  });

  it('probes once per database for all clients of the container', async () => {
    const odoo = recordedOdoo('19.0-json2');
    const first = recordedClient('19.0-json2', odoo, { connection: { transport: 'auto' } });
    const second = recordedClient('19.0-json2', odoo, { connection: { transport: 'auto' } });
    await Promise.all([first.transportKind(), second.transportKind(), first.transportKind()]);
    expect(odoo.requests.filter((r) => r.path === '/web/version')).toHaveLength(1);
  });

  it('a configured transport is used without probing', async () => {
    const odoo = recordedOdoo('18.0');
    const client = recordedClient('18.0', odoo, { connection: { transport: 'jsonrpc' } });
    await client.call('res.partner', 'search_count', { domain: [['customer_rank', '>', 0]] });
    expect(odoo.requests.map((r) => r.answeredBy)).toEqual(['common.authenticate', 'res.partner.search_count']);
  });

  it('a failed probe is retried like any call and not cached', async () => {
    // Prepare
    let down = 2;
    const odoo = recordedOdoo('19.0-json2', [() => (down-- > 0 ? new Response('busy', { status: 503 }) : undefined)]);
    const client = recordedClient('19.0-json2', odoo, { connection: { transport: 'auto', retry: { maxAttempts: 1 } } });
    // Act
    const first = await client.transportKind().catch((e: unknown) => e);
    const firstCall = await client.call('res.partner', 'search_count', { domain: [] }).catch((e: unknown) => e);
    const second = await client.transportKind();
    // Assess
    expect(first).toBeInstanceOf(OdooUnavailableError);
    expect(firstCall).toBeInstanceOf(OdooUnavailableError);
    expect(second).toBe('json2');
  });
});
