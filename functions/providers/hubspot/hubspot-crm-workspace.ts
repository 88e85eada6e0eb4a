import type { CrmCompanyLinks, CrmDealLinks, CrmLifecycle, CrmTaskRequest, CrmWorkspace } from '../../domain/crm-workspace';
import { HubspotRequestError, type HubspotCrmApi } from './hubspot-crm-api';

/**
 * The HubSpot properties the integration writes (stage config `hubspot.writeBack`, defaults there). The company and
 * deal ones are custom properties the portal defines (single-line text); `activityKeyProperty` is a custom property
 * of notes and tasks holding our idempotency key.
 */
export interface HubspotWriteBack {
  readonly companyProperties: { readonly odooPartnerId: string; readonly billingCustomerId: string; readonly customerId: string };
  readonly dealProperties: { readonly odooOrderId: string; readonly billingSubscriptionId: string };
  /** HubSpot has no built-in "former customer" lifecycle stage: the stage id a lost customer is set to (`other` by default, or a custom stage's id). */
  readonly formerCustomerLifecycleStage: string;
  readonly activityKeyProperty: string;
}

/** HubSpot's default association type ids (HUBSPOT_DEFINED) of the links a note or a task is made with. */
export const HUBSPOT_ASSOCIATION_TYPES = { noteToDeal: 214, noteToCompany: 190, taskToCompany: 192 } as const;

/**
 * HubSpot's default lifecycle stages in their order. HubSpot refuses to move a record's stage backwards unless it is
 * cleared first (its documented way), so a backward move, or a move from a stage not in this list (a custom stage's
 * id, whose place we do not know), clears the property before setting it.
 */
const LIFECYCLE_ORDER = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'];

export interface HubspotCrmWorkspaceOptions {
  readonly api: HubspotCrmApi;
  readonly writeBack: HubspotWriteBack;
  readonly now?: () => Date;
}

/**
 * HubSpot as the CRM workspace: every write is the private app's, so HubSpot sends its change events with our app's
 * id as `sourceId`, and the ingest drops them (no write-back loop). Property writes read first and PATCH only what
 * differs, so a retried write changes nothing and causes no second change event; notes and tasks are found by our key
 * (a search on `activityKeyProperty`) before one is made. HubSpot's search index trails a create by a few seconds:
 * a retry within that window of a create whose answer was lost may make a second note or task.
 *
 * A company or deal HubSpot no longer has (deleted, merged away) has nothing to write the integration's ids or a
 * lifecycle on: those writes leave it. A task about a company HubSpot does not have is refused (permanent).
 */
export function hubspotCrmWorkspace(options: HubspotCrmWorkspaceOptions): CrmWorkspace {
  const { api, writeBack } = options;
  const now = options.now ?? (() => new Date());

  /**
   * PATCHes the properties of `wanted` whose value differs from the record's; none when the record is gone — also
   * when it is deleted between the read and the PATCH (404): its deletion reaches the stack as an event of its own.
   */
  async function writeChanged(objectType: string, id: string, wanted: Record<string, string>): Promise<void> {
    const names = Object.keys(wanted);
    if (names.length === 0) return;
    const current = (await api.batchRead(objectType, [id], names)).get(id);
    if (current === undefined) return;
    const changed = Object.fromEntries(Object.entries(wanted).filter(([name, value]) => (current.properties[name] ?? '') !== value));
    if (Object.keys(changed).length === 0) return;
    try {
      await api.update(objectType, id, changed);
    } catch (error) {
      if (error instanceof HubspotRequestError && error.details.status === 404) return;
      throw error;
    }
  }

  async function findByKey(objectType: 'notes' | 'tasks', key: string): Promise<string | undefined> {
    const [found] = await api.searchEqual(objectType, { [writeBack.activityKeyProperty]: key }, [writeBack.activityKeyProperty], 1);
    return found?.id;
  }

  /** A note associated to a deal or a company, once per key. */
  async function noteOn(target: { toId: string; typeId: number }, note: { key: string; text: string }): Promise<void> {
    if ((await findByKey('notes', note.key)) !== undefined) return;
    await api.create('notes', { hs_timestamp: now().toISOString(), hs_note_body: note.text, [writeBack.activityKeyProperty]: note.key }, [target]);
  }

  return {
    system: 'hubspot',

    async recordCompanyLinks(companyId: string, links: CrmCompanyLinks): Promise<void> {
      const names = writeBack.companyProperties;
      await writeChanged('companies', companyId, {
        ...(links.odooPartnerId === undefined ? {} : { [names.odooPartnerId]: String(links.odooPartnerId) }),
        ...(links.billingCustomerId === undefined ? {} : { [names.billingCustomerId]: links.billingCustomerId }),
        ...(links.customerId === undefined ? {} : { [names.customerId]: links.customerId }),
      });
    },

    async setCompanyLifecycle(companyId: string, lifecycle: CrmLifecycle): Promise<void> {
      const target = lifecycle === 'customer' ? 'customer' : writeBack.formerCustomerLifecycleStage;
      const company = (await api.batchRead('companies', [companyId], ['lifecyclestage'])).get(companyId);
      if (company === undefined) return;
      const current = company.properties['lifecyclestage'] ?? '';
      if (current === target) return;
      const backwards = current !== '' && (!LIFECYCLE_ORDER.includes(current) || !LIFECYCLE_ORDER.includes(target) || LIFECYCLE_ORDER.indexOf(target) < LIFECYCLE_ORDER.indexOf(current));
      if (backwards) await api.update('companies', companyId, { lifecyclestage: '' });
      await api.update('companies', companyId, { lifecyclestage: target });
    },

    async recordDealLinks(dealId: string, links: CrmDealLinks): Promise<void> {
      const names = writeBack.dealProperties;
      await writeChanged('deals', dealId, {
        ...(links.odooOrderId === undefined ? {} : { [names.odooOrderId]: String(links.odooOrderId) }),
        ...(links.billingSubscriptionId === undefined ? {} : { [names.billingSubscriptionId]: links.billingSubscriptionId }),
      });
    },

    async noteOnDeal(dealId: string, note: { key: string; text: string }): Promise<void> {
      await noteOn({ toId: dealId, typeId: HUBSPOT_ASSOCIATION_TYPES.noteToDeal }, note);
    },

    async noteOnCompany(companyId: string, note: { key: string; text: string }): Promise<void> {
      await noteOn({ toId: companyId, typeId: HUBSPOT_ASSOCIATION_TYPES.noteToCompany }, note);
    },

    async openTask(task: CrmTaskRequest): Promise<{ taskId: string }> {
      const existing = await findByKey('tasks', task.key);
      if (existing !== undefined) return { taskId: existing };
      const company = (await api.batchRead('companies', [task.companyId], ['hubspot_owner_id'])).get(task.companyId);
      if (company === undefined) {
        throw new HubspotRequestError({ operation: 'POST /crm/v3/objects/tasks', status: 404, category: 'OBJECT_NOT_FOUND' }, `company ${task.companyId} is not in HubSpot: no task about it`);
      }
      const owner = company.properties['hubspot_owner_id'];
      const created = await api.create(
        'tasks',
        {
          hs_task_subject: task.subject,
          hs_task_body: task.body,
          hs_task_status: 'NOT_STARTED',
          // A task's due date; due now: the owner is asked to act on it.
          hs_timestamp: now().toISOString(),
          [writeBack.activityKeyProperty]: task.key,
          ...(owner ? { hubspot_owner_id: owner } : {}),
        },
        [{ toId: task.companyId, typeId: HUBSPOT_ASSOCIATION_TYPES.taskToCompany }],
      );
      return { taskId: created.id };
    },

    async completeTask(taskId: string): Promise<void> {
      try {
        await api.update('tasks', taskId, { hs_task_status: 'COMPLETED' });
      } catch (error) {
        // A task deleted since is as done as it gets.
        if (error instanceof HubspotRequestError && error.details.status === 404) return;
        throw error;
      }
    },
  };
}
