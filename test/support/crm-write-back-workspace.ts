import type { SourceSystem } from '../../events/envelope';
import type { CrmCompanyLinks, CrmDealLinks, CrmLifecycle, CrmTaskRequest, CrmWorkspace } from '../../functions/domain/crm-workspace';

/**
 * A CRM in memory, as the write-back tests see one: the companies' written ids, and every write that changed
 * something (a real CRM reports exactly those as change events). Companies it has are seeded; others are absent,
 * and a write to them is left, as the real workspaces leave them.
 */
export class CrmWriteBackWorkspace implements CrmWorkspace {
  readonly companies = new Map<string, CrmCompanyLinks>();
  /** `<companyId> <field>=<value>` for each field a write changed. */
  readonly changes: string[] = [];

  constructor(
    readonly system: SourceSystem,
    companyIds: readonly string[] = [],
  ) {
    for (const id of companyIds) this.companies.set(id, {});
  }

  async recordCompanyLinks(companyId: string, links: CrmCompanyLinks): Promise<void> {
    const current = this.companies.get(companyId);
    if (current === undefined) return;
    const next = { ...current };
    for (const [field, value] of Object.entries(links) as [keyof CrmCompanyLinks, string | number | undefined][]) {
      if (value === undefined || current[field] === value) continue;
      (next as Record<string, unknown>)[field] = value;
      this.changes.push(`${companyId} ${field}=${value}`);
    }
    this.companies.set(companyId, next);
  }

  async setCompanyLifecycle(_companyId: string, _lifecycle: CrmLifecycle): Promise<void> {
    throw new Error('not a write-back call');
  }
  async recordDealLinks(_dealId: string, _links: CrmDealLinks): Promise<void> {
    throw new Error('not a write-back call');
  }
  async noteOnDeal(_dealId: string, _note: { key: string; text: string }): Promise<void> {
    throw new Error('not a write-back call');
  }
  async noteOnCompany(_companyId: string, _note: { key: string; text: string }): Promise<void> {
    throw new Error('not a write-back call');
  }
  async openTask(_task: CrmTaskRequest): Promise<{ taskId: string }> {
    throw new Error('not a write-back call');
  }
  async completeTask(_taskId: string): Promise<void> {
    throw new Error('not a write-back call');
  }
}
