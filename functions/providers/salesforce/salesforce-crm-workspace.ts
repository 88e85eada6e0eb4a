import type { CrmCompanyLinks, CrmDealLinks, CrmLifecycle, CrmTaskRequest, CrmWorkspace } from '../../domain/crm-workspace';
import { SalesforceRequestError, type SalesforceRestApi } from './salesforce-rest-api';

/**
 * The Salesforce fields the integration writes (stage config `salesforce.writeBack`, defaults there): custom fields the
 * org defines on Account, Opportunity and Activity (Task). The Odoo ids are numbers (a Number(18, 0) or Text field).
 */
export interface SalesforceWriteBack {
  readonly account: { readonly odooPartnerId: string; readonly billingCustomerId: string; readonly customerId: string };
  readonly opportunity: { readonly odooOrderId: string; readonly billingSubscriptionId: string };
  /** The Account field that shows where a company stands as a customer, and its value for each standing. */
  readonly lifecycle: { readonly field: string; readonly customer: string; readonly formerCustomer: string };
  /** An Activity custom field holding our idempotency key on the Tasks we make (notes and tasks). */
  readonly taskKeyField: string;
}

/** A Salesforce Task subject holds at most 255 characters. */
const SUBJECT_LIMIT = 255;

export interface SalesforceCrmWorkspaceOptions {
  readonly api: SalesforceRestApi;
  readonly writeBack: SalesforceWriteBack;
  readonly now?: () => Date;
}

/**
 * Salesforce as the CRM workspace. Every write goes through the REST client with our client name
 * (`Sforce-Call-Options`), so its Change Data Capture event names us in `changeOrigin` and the ingest drops it (no
 * write-back loop). Field writes read first and PATCH only what differs: a retry writes nothing and causes no change
 * event. A note on a deal or a company is a completed Task on the Opportunity or Account (its activity history; classic Notes take no custom
 * field to hold our key); a task is an open Task on the Account for the Account's owner. Both are found by our key
 * (SOQL on `taskKeyField`, which sees a write at once) before one is made.
 *
 * An Account or Opportunity Salesforce no longer has (deleted, merged away) has nothing to write ids or a lifecycle
 * on: those writes leave it. A task about an Account Salesforce does not have is refused (permanent).
 */
export function salesforceCrmWorkspace(options: SalesforceCrmWorkspaceOptions): CrmWorkspace {
  const { api, writeBack } = options;
  const now = options.now ?? (() => new Date());

  async function writeChanged(type: 'Account' | 'Opportunity', id: string, wanted: Record<string, string | number>): Promise<void> {
    const names = Object.keys(wanted);
    if (names.length === 0) return;
    const current = (await api.retrieve(type, [id], names)).get(id);
    if (current === undefined) return;
    const changed = Object.fromEntries(Object.entries(wanted).filter(([name, value]) => String(current[name] ?? '') !== String(value)));
    if (Object.keys(changed).length === 0) return;
    try {
      await api.updateRecord(type, id, changed);
    } catch (error) {
      // Deleted between the read and the PATCH: nothing to write to; its deletion reaches the stack as a change event.
      if (error instanceof SalesforceRequestError && error.details.status === 404) return;
      throw error;
    }
  }

  async function taskByKey(key: string): Promise<string | undefined> {
    const [found] = await api.query(`SELECT Id FROM Task WHERE ${writeBack.taskKeyField} IN (${soqlString(key)})`);
    return found?.Id;
  }

  /** A note: a completed Task related to the Opportunity or Account, once per key. */
  async function noteOn(whatId: string, note: { key: string; text: string }): Promise<void> {
    if ((await taskByKey(note.key)) !== undefined) return;
    await api.createRecord('Task', {
      WhatId: whatId,
      Subject: subjectOf(note.text),
      Description: note.text,
      Status: 'Completed',
      ActivityDate: dayOf(now()),
      [writeBack.taskKeyField]: note.key,
    });
  }

  return {
    system: 'salesforce',

    async recordCompanyLinks(accountId: string, links: CrmCompanyLinks): Promise<void> {
      const fields = writeBack.account;
      await writeChanged('Account', accountId, {
        ...(links.odooPartnerId === undefined ? {} : { [fields.odooPartnerId]: links.odooPartnerId }),
        ...(links.billingCustomerId === undefined ? {} : { [fields.billingCustomerId]: links.billingCustomerId }),
        ...(links.customerId === undefined ? {} : { [fields.customerId]: links.customerId }),
      });
    },

    async setCompanyLifecycle(accountId: string, lifecycle: CrmLifecycle): Promise<void> {
      const { field, customer, formerCustomer } = writeBack.lifecycle;
      await writeChanged('Account', accountId, { [field]: lifecycle === 'customer' ? customer : formerCustomer });
    },

    async recordDealLinks(opportunityId: string, links: CrmDealLinks): Promise<void> {
      const fields = writeBack.opportunity;
      await writeChanged('Opportunity', opportunityId, {
        ...(links.odooOrderId === undefined ? {} : { [fields.odooOrderId]: links.odooOrderId }),
        ...(links.billingSubscriptionId === undefined ? {} : { [fields.billingSubscriptionId]: links.billingSubscriptionId }),
      });
    },

    async noteOnDeal(opportunityId: string, note: { key: string; text: string }): Promise<void> {
      await noteOn(opportunityId, note);
    },

    async noteOnCompany(accountId: string, note: { key: string; text: string }): Promise<void> {
      await noteOn(accountId, note);
    },

    async openTask(task: CrmTaskRequest): Promise<{ taskId: string }> {
      const existing = await taskByKey(task.key);
      if (existing !== undefined) return { taskId: existing };
      const account = (await api.retrieve('Account', [task.companyId], ['OwnerId'])).get(task.companyId);
      if (account === undefined) throw new SalesforceRequestError({ operation: 'POST sobjects/Task', status: 404, errorCode: 'NOT_FOUND' }, `Account ${task.companyId} is not in Salesforce: no task about it`);
      const owner = typeof account['OwnerId'] === 'string' ? account['OwnerId'] : undefined;
      const taskId = await api.createRecord('Task', {
        WhatId: task.companyId,
        Subject: subjectOf(task.subject),
        Description: task.body,
        Status: 'Not Started',
        // Due today: the owner is asked to act on it.
        ActivityDate: dayOf(now()),
        [writeBack.taskKeyField]: task.key,
        ...(owner === undefined ? {} : { OwnerId: owner }),
      });
      return { taskId };
    },

    async completeTask(taskId: string): Promise<void> {
      try {
        await api.updateRecord('Task', taskId, { Status: 'Completed' });
      } catch (error) {
        // A task deleted since is as done as it gets.
        if (error instanceof SalesforceRequestError && (error.details.status === 404 || error.details.errorCode === 'ENTITY_IS_DELETED')) return;
        throw error;
      }
    },
  };
}

/** A SOQL string literal: backslashes and quotes escaped, as SOQL requires. */
function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function subjectOf(text: string): string {
  const firstLine = text.split('\n')[0]!.trim();
  return firstLine.length <= SUBJECT_LIMIT ? firstLine : `${firstLine.slice(0, SUBJECT_LIMIT - 1)}…`;
}

/** A Task's date field: the UTC day. */
function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}
