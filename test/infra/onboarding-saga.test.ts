import { describe, expect, it } from 'vitest';
import { SAGA_ROUTES } from '../../lib/routing';
import { syncStack } from './stack-fixture';

/** A state machine's ASL from the template: the Fn::Join of its DefinitionString, each token shown as `<token>`. */
function definitionOf(resource: { Properties: { DefinitionString: unknown } }): { StartAt: string; States: Record<string, Record<string, unknown>> } {
  const definition = resource.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof definition === 'string' ? definition : definition['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<token>')).join('');
  return JSON.parse(text);
}

describe('the onboarding saga in the prod template', () => {
  const { stack, template } = syncStack('prod');
  const [, machine] = Object.entries(template.findResources('AWS::StepFunctions::StateMachine')).find(([id]) => id.includes('onboarding'))!;
  const asl = definitionOf(machine as never);

  it('is a Standard state machine started by deal.won', () => {
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    expect(SAGA_ROUTES.onboarding).toEqual(['deal.won']);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['odoo-saas-sync'], 'detail-type': ['deal.won'] } });
  });

  it('undoes the steps done in reverse when one fails for good: each step’s Catch enters the compensation of the step before it', () => {
    const catchOf = (state: string) => (asl.States[state]!['Catch'] as { Next: string }[])[0]!.Next;
    expect(asl.StartAt).toBe('EnsurePartner');
    expect(catchOf('EnsurePartner')).toBe('Failed');
    expect(catchOf('VerifyContract')).toBe('NoteUndoneOnDeal');
    expect(catchOf('EnsureBillingCustomer')).toBe('CancelContract');
    expect(catchOf('Subscribe')).toBe('DeleteBillingCustomer');
    expect(catchOf('GrantEntitlement')).toBe('CancelSubscription');
    expect(catchOf('WriteBackToCrm')).toBe('RevokeEntitlement');
    const next = (state: string) => asl.States[state]!['Next'];
    expect(['RevokeEntitlement', 'CancelSubscription', 'DeleteBillingCustomer', 'CancelContract', 'NoteUndoneOnDeal'].map(next)).toEqual([
      'CancelSubscription', 'DeleteBillingCustomer', 'CancelContract', 'NoteUndoneOnDeal', 'Failed',
    ]);
  });

  it('gives its steps the price mapping, the support policy, the billing and desk APIs and the bus', () => {
    const fn = stack.sagas.onboarding.functions.get('Subscribe')!;
    const logicalId = stack.getLogicalId(fn.fn.node.defaultChild as never);
    const variables = template.findResources('AWS::Lambda::Function')[logicalId]!.Properties.Environment.Variables;
    expect(JSON.parse(variables.ONBOARDING_CONFIG)).toMatchObject({ billingSystem: 'stripe', collection: { method: 'send_invoice', daysUntilDue: 30 } });
    expect(JSON.parse(variables.SUPPORT_POLICY)).toMatchObject({ entitlements: { noneTier: 'none' } });
    expect(variables).toMatchObject({ STRIPE_API_KEY_SECRET_NAME: 'odoo-saas-sync/prod/stripe-api-key', EVENT_BUS_NAME: { Ref: expect.stringMatching(/^EventsBus/) } });
    expect(String(variables.PROVIDER_SYSTEMS).split(',')).toContain('stripe');
  });
});
