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

  it('keeps production data when the stack is deleted', () => {
    expect(resolveStage('prod').config.removalPolicy).toBe('retain');
  });

  it.each(STAGES)('gives stage %s a billing mapping the billing flow accepts', (name) => {
    const parsed = billingConfigSchema.safeParse(resolveStage(name).config.billing);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });
});
