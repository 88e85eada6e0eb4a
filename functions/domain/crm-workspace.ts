import type { SourceSystem } from '../../events/envelope';

/**
 * The CRM as the flows and sagas write to it: the integration's ids written back onto a company (account) and a
 * deal, the company's lifecycle, notes on a deal and tasks for the account's owner. The provider's module
 * implements it (functions/providers/<system>/) and maps the logical fields below to its own property or field
 * names (stage config). Every write is made as the integration's own user or app, so the change events it causes
 * come back recognisable and are dropped (no write-back loop).
 *
 * Every method is idempotent: a retried or redriven call finds what an earlier attempt made (a task or a note by
 * its `key`) and changes nothing more.
 */

/** The ids the integration writes back onto a CRM company; an absent one is left as the CRM has it. */
export interface CrmCompanyLinks {
  readonly odooPartnerId?: number;
  readonly billingCustomerId?: string;
  /** The canonical customer id (saas_sync). */
  readonly customerId?: string;
}

/** The ids the integration writes back onto a CRM deal; an absent one is left as the CRM has it. */
export interface CrmDealLinks {
  readonly odooOrderId?: number;
  readonly billingSubscriptionId?: string;
}

/** Where a company stands as a customer, as the CRM's lifecycle shows it. */
export type CrmLifecycle = 'customer' | 'former_customer';

export interface CrmTaskRequest {
  /** Our idempotency key (e.g. `dunning:<sagaId>`): a second open with the same key returns the first task. */
  readonly key: string;
  /** The CRM company the task is about; the task goes to its owner when it has one. */
  readonly companyId: string;
  readonly subject: string;
  readonly body: string;
}

export interface CrmWorkspace {
  /** The CRM's system (its events' `source`, its identity-map keys). */
  readonly system: SourceSystem;
  /** Writes the integration's ids onto a company. */
  recordCompanyLinks(companyId: string, links: CrmCompanyLinks): Promise<void>;
  /** Sets a company's lifecycle. */
  setCompanyLifecycle(companyId: string, lifecycle: CrmLifecycle): Promise<void>;
  /** Writes the integration's ids onto a deal. */
  recordDealLinks(dealId: string, links: CrmDealLinks): Promise<void>;
  /** A note on a deal (e.g. why an onboarding was undone), once per `key`. */
  noteOnDeal(dealId: string, note: { key: string; text: string }): Promise<void>;
  /** A note on a company (e.g. its contract's seats changed), once per `key`. */
  noteOnCompany(companyId: string, note: { key: string; text: string }): Promise<void>;
  /** Opens a task for the company's owner, once per `key`; returns the CRM's task id. */
  openTask(task: CrmTaskRequest): Promise<{ taskId: string }>;
  /** Completes a task; a task already completed or gone is success. */
  completeTask(taskId: string): Promise<void>;
}
