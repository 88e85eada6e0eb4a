import { describe, expect, it } from 'vitest';
import { isIdempotentByDefault } from '../../../../functions/erp/odoo/odoo-client';
import { DEFAULT_ODOO_CONNECTION, resolveOdooConfig } from '../../../../functions/erp/odoo/odoo-config';

describe('Odoo connection config', () => {
  it('fills every protection setting with its default and normalizes the URL', () => {
    const config = resolveOdooConfig({ url: 'https://erp.example.com/', database: 'prod', login: 'sync@example.com' });
    expect(config).toEqual({ ...DEFAULT_ODOO_CONNECTION, url: 'https://erp.example.com', database: 'prod', login: 'sync@example.com' });
  });

  it('merges partial retry and breaker settings', () => {
    const config = resolveOdooConfig({ url: 'http://odoo:8069', database: 'd', login: 'l', retry: { maxAttempts: 2 }, breaker: { openMs: 5 } });
    expect(config.retry).toEqual({ ...DEFAULT_ODOO_CONNECTION.retry, maxAttempts: 2 });
    expect(config.breaker).toEqual({ ...DEFAULT_ODOO_CONNECTION.breaker, openMs: 5 });
  });

  it.each([
    [{ url: 'not a url' }, /url/],
    [{ database: '' }, /database/],
    [{ maxConcurrency: 0 }, /maxConcurrency/],
    [{ ratePerSecond: 0 }, /ratePerSecond/],
    [{ retry: { maxAttempts: 0 } }, /maxAttempts/],
    [{ transport: 'xmlrpc' as 'auto' }, /transport/],
  ])('fails fast on %o', (override, message) => {
    expect(() => resolveOdooConfig({ url: 'http://odoo:8069', database: 'd', login: 'l', ...override })).toThrow(message);
  });
});

describe('which calls are repeated after an ambiguous failure', () => {
  it.each([
    ['search_read', {}, true],
    ['read', {}, true],
    ['load', {}, true],
    ['write', { vals: { name: 'x', category_id: [[4, 1]] } }, true],
    ['write', { vals: { invoice_line_ids: [[0, 0, { name: 'line' }]] } }, false],
    ['create', {}, false],
    ['action_post', {}, false],
    ['message_post', {}, false],
  ])('%s %o → %s', (method, params, idempotent) => {
    expect(isIdempotentByDefault(method, params)).toBe(idempotent);
  });
});
