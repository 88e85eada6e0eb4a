import { describe, expect, it } from 'vitest';
import { billingConfigSchema } from '../../../functions/domain/billing-config';
import { InvalidStageConfigError, resolveStage, STAGES, UnknownStageError } from '../../../lib/config/stages';

describe('stage configuration', () => {
  it.each(STAGES)('resolves stage %s with every required setting', (name) => {
    const { stage, config } = resolveStage(name);
    expect(stage).toBe(name);
    expect(config.odoo.apiKeySecretName).not.toBe('');
    expect(config.flowConcurrency).toBeGreaterThanOrEqual(2);
    expect(config.alarmEmail).toContain('@');
  });

  it('names the valid stages when the stage is unknown', () => {
    expect(() => resolveStage('production')).toThrow(UnknownStageError);
    expect(() => resolveStage('production')).toThrow(/unknown stage "production".*local, dev, staging, prod/);
  });

  it('says a stage is needed when none is given', () => {
    expect(() => resolveStage(undefined)).toThrow(/no stage: pass -c stage=NAME with one of: local, dev, staging, prod/);
  });

  it('rejects a configuration that cannot work, naming the setting', () => {
    const { config } = resolveStage('dev');
    const broken = { ...config, flowConcurrency: 1 };
    expect(() => resolveStage('dev', { local: config, dev: broken, staging: config, prod: config })).toThrow(InvalidStageConfigError);
    expect(() => resolveStage('dev', { local: config, dev: broken, staging: config, prod: config })).toThrow(/flowConcurrency/);
  });

  it.each([
    ['no rate limit at all', { maxRequestsPerSecond: 0 }, /odoo\.maxRequestsPerSecond: .*>0/],
    ['a rate limit that protects nothing', { maxRequestsPerSecond: 1000 }, /odoo\.maxRequestsPerSecond: .*<=100/],
    ['no request ever in flight', { maxConcurrentRequests: 0 }, /odoo\.maxConcurrentRequests: .*>=1/],
    ['a fractional concurrency', { maxConcurrentRequests: 2.5 }, /odoo\.maxConcurrentRequests: .*expected int/],
    ['more requests in flight than any Odoo worker pool', { maxConcurrentRequests: 64 }, /odoo\.maxConcurrentRequests: .*<=16/],
    ['a negative batch window', { batchWindowMs: -1 }, /odoo\.batchWindowMs: .*>=0/],
    ['a batch window every lone event would wait out', { batchWindowMs: 1000 }, /odoo\.batchWindowMs: .*<=200/],
    ['batches of no record', { maxBatchSize: 0 }, /odoo\.maxBatchSize: .*>=1/],
    ['batches one Odoo call cannot finish in time', { maxBatchSize: 500 }, /odoo\.maxBatchSize: .*<=100/],
  ])('rejects an Odoo protection setting with %s, naming the setting and its bound', (_case, odoo, message) => {
    // Prepare
    const { config } = resolveStage('prod');
    const broken = { ...config, odoo: { ...config.odoo, ...odoo } };
    // Act
    const resolving = () => resolveStage('prod', { local: config, dev: config, staging: config, prod: broken });
    // Assess
    expect(resolving).toThrow(InvalidStageConfigError);
    expect(resolving).toThrow(message);
  });

  it('requires the Odoo protection settings (no silent default)', () => {
    const { config } = resolveStage('prod');
    const { maxRequestsPerSecond: _dropped, ...odoo } = config.odoo;
    expect(() => resolveStage('prod', { local: config, dev: config, staging: config, prod: { ...config, odoo } })).toThrow(/odoo\.maxRequestsPerSecond/);
  });

  it.each(STAGES)('stage %s merges Odoo writes within a window of a few milliseconds (a lone event barely waits)', (name) => {
    const { odoo } = resolveStage(name).config;
    expect(odoo.batchWindowMs).toBeLessThanOrEqual(25);
    expect(odoo.maxBatchSize).toBeGreaterThan(1);
  });

  it('keeps production data when the stack is deleted', () => {
    expect(resolveStage('prod').config.removalPolicy).toBe('retain');
  });

  it.each(STAGES)('gives stage %s a billing mapping the billing flow accepts', (name) => {
    const parsed = billingConfigSchema.safeParse(resolveStage(name).config.billing);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });
});

describe('PayPal stage settings', () => {
  const paypal = { webhookId: 'WH-1', apiCredentialsSecretName: 'paypal-credentials', certificateOrigins: ['http://127.0.0.1:12112'] };

  it.each(['dev', 'staging', 'prod'] as const)('refuses certificate origins besides PayPal’s in stage %s', (name) => {
    const { config } = resolveStage(name);
    const configs = { local: config, dev: config, staging: config, prod: config, [name]: { ...config, paypal } };
    expect(() => resolveStage(name, configs)).toThrow(InvalidStageConfigError);
    expect(() => resolveStage(name, configs)).toThrow(/paypal\.certificateOrigins: only the local stage/);
  });

  it('accepts PayPal settings without certificate origins in a deployed stage', () => {
    const { config } = resolveStage('prod');
    const { certificateOrigins: _local, ...deployed } = paypal;
    const configs = { local: config, dev: config, staging: config, prod: { ...config, paypal: deployed } };
    expect(resolveStage('prod', configs).config.paypal).toEqual(deployed);
  });
});

describe('HubSpot stage settings', () => {
  const hubspot = { portalId: '48975575', appId: '39522895', appSecretName: 'hubspot-app-secret', accessTokenSecretName: 'hubspot-token', requestsPer10Seconds: 190, companyCurrency: 'EUR' };
  const prodWith = (settings: Record<string, unknown>) => {
    const { config } = resolveStage('prod');
    return { local: config, dev: config, staging: config, prod: { ...config, hubspot: settings } };
  };

  it('accepts a deployed stage’s HubSpot section without a webhook URL (the stack’s own is used)', () => {
    expect(resolveStage('prod', prodWith(hubspot)).config.hubspot).toEqual(hubspot);
  });

  it('refuses a rate limit HubSpot does not have, a portal id that is no number and a missing app id (own writes would loop)', () => {
    expect(() => resolveStage('prod', prodWith({ ...hubspot, requestsPer10Seconds: 150 }))).toThrow(/hubspot\.requestsPer10Seconds/);
    expect(() => resolveStage('prod', prodWith({ ...hubspot, portalId: 'acme' }))).toThrow(/hubspot\.portalId/);
    const { appId: _missing, ...withoutApp } = hubspot;
    expect(() => resolveStage('prod', prodWith(withoutApp))).toThrow(/hubspot\.appId/);
  });
});
