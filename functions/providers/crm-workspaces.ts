import type { SourceSystem } from '../../events/envelope';
import type { CrmWorkspace } from '../domain/crm-workspace';

/**
 * PLACEHOLDER until branch h-crm lands: h-crm owns this file (its rows: the CRM providers' workspaces, and
 * `CRM_SYSTEMS`); at the merge, take h-crm's version whole. Same exports, so the sagas' wiring compiles against it;
 * with no row here, every stage runs no CRM and the sagas' CRM steps say so in their output ('no-crm-company').
 */
export interface CrmWorkspaceRow {
  readonly system: SourceSystem;
  crmWorkspaceFromEnv(env: NodeJS.ProcessEnv): CrmWorkspace;
}

export const CRM_WORKSPACES: readonly CrmWorkspaceRow[] = [];

/** The stage's CRM, or undefined when it runs none. */
export function crmWorkspaceFromEnv(env: NodeJS.ProcessEnv = process.env): CrmWorkspace | undefined {
  const systems = (env['CRM_SYSTEMS'] ?? '').split(',').map((system) => system.trim());
  return CRM_WORKSPACES.find((row) => systems.includes(row.system))?.crmWorkspaceFromEnv(env);
}
