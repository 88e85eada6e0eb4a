import { describe, expect, it } from 'vitest';
import { resolveStage, STAGES } from '../../../../lib/config/stages';
import { MissingConfigError } from '../../../../functions/platform/env';
import { supportPolicyFromEnv } from '../../../../functions/flows/support-wiring';
import { supportDeskFromEnv } from '../../../../functions/providers/support-desks';

describe('support flows’ configuration', () => {
  it.each(STAGES)('reads every stage’s support policy as the stack passes it (stage %s)', (stage) => {
    const { support } = resolveStage(stage).config;
    expect(supportPolicyFromEnv({ SUPPORT_POLICY: JSON.stringify(support) })).toEqual(support);
  });

  it('fails the cold start on a tier the tiers do not list, or on no JSON', () => {
    const { support } = resolveStage('local').config;
    const typo = { ...support, escalation: { ...support.escalation, tierPriorities: [{ tier: 'premum', priority: 'high' }] } };
    expect(() => supportPolicyFromEnv({ SUPPORT_POLICY: JSON.stringify(typo) })).toThrow(/tiers not in entitlements\.tiers: premum/);
    expect(() => supportPolicyFromEnv({ SUPPORT_POLICY: '{' })).toThrow(MissingConfigError);
  });

  it('builds no desk for a stage without one, and Zendesk’s for a stage that names it', () => {
    expect(supportDeskFromEnv({})).toBeUndefined();
    const desk = supportDeskFromEnv({
      PROVIDER_SYSTEMS: 'zendesk',
      ZENDESK_URL: 'https://acme.zendesk.example',
      ZENDESK_API_CREDENTIALS_SECRET_NAME: 'zendesk-credentials',
      ZENDESK_REQUESTS_PER_MINUTE: '400',
      ZENDESK_ORGANIZATION_FIELDS: JSON.stringify(resolveStage('local').config.zendesk!.organizationFields),
    });
    expect(desk?.system).toBe('zendesk');
    expect(desk?.ticketUrl('42')).toBe('https://acme.zendesk.example/agent/tickets/42');
  });
});
