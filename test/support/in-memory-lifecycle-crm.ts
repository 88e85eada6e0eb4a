import type { CrmCompanyLinks, CrmDealLinks, CrmLifecycle, CrmTaskRequest, CrmWorkspace } from '../../functions/domain/crm-workspace';

/**
 * A CRM workspace in memory for the dunning, amendment and offboarding sagas' unit tests: companies' ids and
 * lifecycle, deals' ids and notes, company notes, and owner tasks as the port promises them (once per key, completing twice is fine).
 */
export class InMemoryLifecycleCrm implements CrmWorkspace {
  readonly system = 'hubspot' as const;
  readonly companies = new Map<string, CrmCompanyLinks & { lifecycle?: CrmLifecycle }>();
  readonly deals = new Map<string, CrmDealLinks & { notes: string[] }>();
  /** Company notes by key (a note is written once per key). */
  readonly companyNotes = new Map<string, { companyId: string; text: string }>();
  readonly tasks = new Map<string, CrmTaskRequest & { taskId: string; completed: boolean }>();
  /** Calls that wrote something, in order (a repeated call that changes nothing is not counted). */
  writes = 0;

  async recordCompanyLinks(companyId: string, links: CrmCompanyLinks) {
    this.companies.set(companyId, { ...this.companies.get(companyId), ...links });
    this.writes += 1;
  }
  async setCompanyLifecycle(companyId: string, lifecycle: CrmLifecycle) {
    this.companies.set(companyId, { ...this.companies.get(companyId), lifecycle });
    this.writes += 1;
  }
  async recordDealLinks(dealId: string, links: CrmDealLinks) {
    this.deals.set(dealId, { notes: [], ...this.deals.get(dealId), ...links });
    this.writes += 1;
  }
  async noteOnDeal(dealId: string, note: { key: string; text: string }) {
    const deal = this.deals.get(dealId) ?? { notes: [] };
    if (!deal.notes.includes(note.text)) deal.notes.push(note.text);
    this.deals.set(dealId, deal);
  }
  async noteOnCompany(companyId: string, note: { key: string; text: string }) {
    if (this.companyNotes.has(note.key)) return;
    this.companyNotes.set(note.key, { companyId, text: note.text });
    this.writes += 1;
  }
  async openTask(task: CrmTaskRequest) {
    const existing = [...this.tasks.values()].find((candidate) => candidate.key === task.key);
    if (existing !== undefined) return { taskId: existing.taskId };
    const taskId = `task-${this.tasks.size + 1}`;
    this.tasks.set(taskId, { ...task, taskId, completed: false });
    this.writes += 1;
    return { taskId };
  }
  async completeTask(taskId: string) {
    const task = this.tasks.get(taskId);
    if (task !== undefined && !task.completed) {
      task.completed = true;
      this.writes += 1;
    }
  }
}
