import { Duration } from 'aws-cdk-lib';
import type { StageConfig } from './config/stages';
import type { SagaStep } from './constructs/lifecycle-saga';
import type { SagaName } from './routing';

/**
 * Each lifecycle saga's steps, declared (lib/constructs/lifecycle-saga.ts turns them into a Standard state machine),
 * with what its step functions read besides Odoo and the state tables. Which events start a saga is in
 * lib/routing.ts (SAGA_ROUTES); the steps' code is in functions/sagas/<saga>/.
 */
export interface SagaDefinition {
  readonly steps: readonly SagaStep[];
  /** An execution still running after this is stopped (TIMED_OUT, alarmed). */
  readonly timeout: Duration;
  /** Step environment from the stage config. */
  readonly environment: Record<string, string>;
  /** The billing mapping (BILLING_CONFIG) and every provider's read API. */
  readonly billingConfig?: true;
  readonly providerApis?: true;
  /** The one-customer settings (IDENTITY_CONFIG): a step that may meet a customer Odoo lacks resolves it as the flows do. */
  readonly identityConfig?: true;
  /** The support desk's API and the support policy (SUPPORT_POLICY): a step pushes an entitlement as the entitlements flow does. */
  readonly supportDesk?: true;
  /** A step publishes canonical events (EVENT_BUS_NAME). */
  readonly publishes?: true;
  /**
   * The steps (and compensations) that write to the stage's CRM (functions/providers/crm-workspaces.ts): only they get
   * its credentials and settings; the saga's other steps cannot read the CRM's token.
   */
  readonly crmWorkspaceSteps?: readonly string[];
}

export function sagaDefinitions(config: StageConfig, handlerPath: (relative: string) => string): Record<SagaName, SagaDefinition> {
  const dunning = config.sagas.dunning;
  const stepOf = (saga: SagaName) => (name: string, file: string) => ({ name, entry: handlerPath(`sagas/${saga}/handlers/${file}.ts`) });
  const step = stepOf('dunning');
  const offboardingStep = stepOf('offboarding');
  const onboardingStep = stepOf('onboarding');
  const amendmentStep = stepOf('amendment');
  return {
    /**
     * payment.failed → past due (tag + note; an invoice Odoo already has paid ends it) → the entitlement past due on
     * the support desk → a task for the account owner in the CRM → the invoice re-checked at its provider every
     * `recheckSeconds` until paid or the grace is over → suspended (Odoo tag + note, entitlement suspended on the
     * desk; the owner's task stays open), or restored if paid (tags cleared, entitlement active, task completed).
     * A check loop rather than a task token: the provider's invoice is the truth (a lost or reordered
     * payment.succeeded cannot leave a run waiting forever, nor a success that came before the token was stored),
     * there is no token store to keep, and the local runtime runs it as AWS does.
     */
    dunning: {
      steps: [
        { kind: 'task', ...step('MarkPastDue', 'mark-past-due'), compensation: step('WithdrawPastDue', 'withdraw-past-due') },
        {
          kind: 'choice',
          name: 'Invoice still open in Odoo?',
          variable: '$.markPastDue.outcome',
          cases: {
            'invoice-settled': [],
            'flagged-past-due': [
              { kind: 'task', ...step('EntitlementPastDue', 'entitlement-past-due') },
              { kind: 'task', ...step('OpenOwnerTask', 'open-owner-task'), compensation: step('CloseOwnerTask', 'complete-owner-task') },
              { kind: 'poll', ...step('RecheckInvoice', 'recheck-invoice'), intervalSeconds: dunning.recheckSeconds, field: 'outcome', whileEquals: 'waiting' },
              {
                kind: 'choice',
                name: 'Paid at the provider?',
                variable: '$.recheckInvoice.outcome',
                cases: {
                  unpaid: [
                    { kind: 'task', ...step('Suspend', 'suspend') },
                    { kind: 'task', ...step('SuspendEntitlement', 'suspend-entitlement') },
                  ],
                  paid: [
                    { kind: 'task', ...step('Restore', 'restore') },
                    { kind: 'task', ...step('RestoreEntitlement', 'restore-entitlement') },
                    { kind: 'task', ...step('CompleteOwnerTask', 'complete-owner-task') },
                  ],
                },
              },
            ],
          },
        },
      ],
      // The grace, then room for a day of retries and an operator's redrive.
      timeout: Duration.seconds(dunning.graceSeconds).plus(Duration.days(7)),
      environment: { DUNNING_GRACE_SECONDS: String(dunning.graceSeconds), DUNNING_SUSPENDED_TAG: dunning.suspendedTag, SUPPORT_POLICY: JSON.stringify(config.support) },
      billingConfig: true,
      providerApis: true,
      // Its first step is billing-sync's own, which resolves a customer Odoo does not have yet.
      identityConfig: true,
      // Its entitlement steps revise the entitlement with the entitlements flow's code: the desk, the policy, the bus.
      supportDesk: true,
      publishes: true,
      crmWorkspaceSteps: ['OpenOwnerTask', 'CompleteOwnerTask', 'CloseOwnerTask'],
    },
    /**
     * subscription.updated to an end (cancelled, expired) or customer.deleted → the Odoo contract closed → the
     * entitlement revoked → the CRM company a former customer (when no plan is left) → open invoices reported (a
     * note on the partner, and the execution's output). Nothing is compensated: every step applies an end the
     * provider already made. The partner stays.
     */
    offboarding: {
      steps: [
        { kind: 'task', ...offboardingStep('RecogniseEnd', 'recognise-end') },
        {
          kind: 'choice',
          name: 'An end to offboard?',
          variable: '$.recogniseEnd.outcome',
          cases: {
            'not-an-end': [],
            offboard: [
              { kind: 'task', ...offboardingStep('CloseContract', 'close-contract') },
              { kind: 'task', ...offboardingStep('RevokeEntitlement', 'revoke-entitlement') },
              { kind: 'task', ...offboardingStep('MarkFormerCustomer', 'mark-former-customer') },
              { kind: 'task', ...offboardingStep('CheckOpenInvoices', 'check-open-invoices') },
              { kind: 'task', ...offboardingStep('ArchivePartner', 'archive-partner') },
            ],
          },
        },
      ],
      // Room for a day of retries (a customer not linked yet, Odoo down) and an operator's redrive.
      timeout: Duration.days(7),
      environment: { SUPPORT_POLICY: JSON.stringify(config.support), OFFBOARDING_ARCHIVE_PARTNER: String(config.sagas.offboarding.archivePartner) },
      billingConfig: true,
      supportDesk: true,
      publishes: true,
      crmWorkspaceSteps: ['MarkFormerCustomer'],
    },
    /**
     * deal.won → the account's Odoo partner → its confirmed order → a billing customer → its subscription (prices
     * and collection from `sagas.onboarding`) → the support entitlement → the ids written back to the CRM. A step
     * failing for good undoes the ones before it in reverse: entitlement revoked, subscription cancelled, the billing
     * customer deleted if this run made it, the order cancelled, a note on the CRM deal saying why.
     */
    onboarding: {
      steps: [
        { kind: 'task', ...onboardingStep('EnsurePartner', 'ensure-partner'), compensation: onboardingStep('NoteUndoneOnDeal', 'note-undone-on-deal') },
        { kind: 'task', ...onboardingStep('VerifyContract', 'verify-contract'), compensation: onboardingStep('CancelContract', 'cancel-contract') },
        { kind: 'task', ...onboardingStep('EnsureBillingCustomer', 'ensure-billing-customer'), compensation: onboardingStep('DeleteBillingCustomer', 'delete-billing-customer') },
        { kind: 'task', ...onboardingStep('Subscribe', 'subscribe'), compensation: onboardingStep('CancelSubscription', 'cancel-subscription') },
        { kind: 'task', ...onboardingStep('GrantEntitlement', 'grant-entitlement'), compensation: onboardingStep('RevokeEntitlement', 'revoke-entitlement') },
        { kind: 'task', ...onboardingStep('WriteBackToCrm', 'write-back-to-crm') },
      ],
      // Minutes of work; a day of retries and an operator's redrive on top.
      timeout: Duration.days(7),
      environment: { ONBOARDING_CONFIG: JSON.stringify(config.sagas.onboarding), SUPPORT_POLICY: JSON.stringify(config.support) },
      providerApis: true,
      supportDesk: true,
      publishes: true,
      crmWorkspaceSteps: ['WriteBackToCrm', 'NoteUndoneOnDeal'],
    },
    /**
     * subscription.amended (subscription-sync changed a confirmed contract's lines) → the amendment verified in Odoo
     * (a newer one since: nothing more) → the entitlement re-derived and pushed → a note on the customer's CRM company.
     * A later step failing for good restores the contract's previous lines, with a note on the order saying why.
     */
    amendment: {
      steps: [
        { kind: 'task', ...amendmentStep('VerifyContractAmended', 'verify-contract-amended'), compensation: amendmentStep('RestoreContractLines', 'restore-contract-lines') },
        {
          kind: 'choice',
          name: 'Still the newest amendment?',
          variable: '$.verifyContractAmended.outcome',
          cases: {
            superseded: [],
            amended: [
              { kind: 'task', ...amendmentStep('RederiveEntitlement', 'rederive-entitlement') },
              { kind: 'task', ...amendmentStep('UpdateCrm', 'update-crm') },
            ],
          },
        },
      ],
      // Minutes of work; a day of retries (the flow's lease, Odoo down) and an operator's redrive on top.
      timeout: Duration.days(7),
      environment: { SUPPORT_POLICY: JSON.stringify(config.support) },
      // The contract through subscription-sync's ports (BILLING_CONFIG, the bus), the entitlement through the flow's.
      billingConfig: true,
      supportDesk: true,
      publishes: true,
      crmWorkspaceSteps: ['UpdateCrm'],
    },
  };
}
