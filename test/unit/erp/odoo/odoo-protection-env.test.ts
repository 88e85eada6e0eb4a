import { describe, expect, it } from 'vitest';
import { MissingConfigError, readEnv } from '../../../../functions/platform/env';
import { ODOO_BATCHING_ENV, ODOO_PROTECTION_ENV, odooBatchingSettings, odooProtectionSettings } from '../../../../functions/erp/odoo/odoo-protection-env';

describe('the Odoo protection a function reads from its environment', () => {
  it('becomes the Odoo client’s rate limit and concurrency per container', () => {
    // Act
    const env = readEnv(ODOO_PROTECTION_ENV, { ODOO_MAX_REQUESTS_PER_SECOND: '2.5', ODOO_MAX_CONCURRENT_REQUESTS: '3' });
    // Assess
    expect(odooProtectionSettings(env)).toEqual({ ratePerSecond: 2.5, maxConcurrency: 3 });
  });

  it.each([
    ['missing', {}],
    ['zero', { ODOO_MAX_REQUESTS_PER_SECOND: '0', ODOO_MAX_CONCURRENT_REQUESTS: '0' }],
    ['not a number', { ODOO_MAX_REQUESTS_PER_SECOND: 'fast', ODOO_MAX_CONCURRENT_REQUESTS: 'many' }],
  ])('fails the cold start, naming both variables, when they are %s', (_case, environment) => {
    const reading = () => readEnv(ODOO_PROTECTION_ENV, environment);
    expect(reading).toThrow(MissingConfigError);
    expect(reading).toThrow(/ODOO_MAX_REQUESTS_PER_SECOND.*ODOO_MAX_CONCURRENT_REQUESTS/);
  });
});

describe('the batching of Odoo writes a flow consumer reads from its environment', () => {
  it('becomes the coalescer’s window and size bound', () => {
    const env = readEnv(ODOO_BATCHING_ENV, { ODOO_BATCH_WINDOW_MS: '10', ODOO_MAX_BATCH_SIZE: '20' });
    expect(odooBatchingSettings(env)).toEqual({ windowMs: 10, maxBatchSize: 20 });
  });

  it.each([
    ['missing', {}],
    ['out of bounds', { ODOO_BATCH_WINDOW_MS: '5000', ODOO_MAX_BATCH_SIZE: '0' }],
    ['fractional', { ODOO_BATCH_WINDOW_MS: '2.5', ODOO_MAX_BATCH_SIZE: '1.5' }],
  ])('fails the cold start, naming both variables, when they are %s', (_case, environment) => {
    const reading = () => readEnv(ODOO_BATCHING_ENV, environment);
    expect(reading).toThrow(MissingConfigError);
    expect(reading).toThrow(/ODOO_BATCH_WINDOW_MS.*ODOO_MAX_BATCH_SIZE/);
  });
});
