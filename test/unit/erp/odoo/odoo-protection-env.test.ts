import { describe, expect, it } from 'vitest';
import { MissingConfigError, readEnv } from '../../../../functions/platform/env';
import { ODOO_PROTECTION_ENV, odooProtectionSettings } from '../../../../functions/erp/odoo/odoo-protection-env';

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
