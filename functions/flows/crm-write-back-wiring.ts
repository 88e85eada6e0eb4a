import type { SourceSystem } from '../../events/envelope';
import type { CrmWorkspace } from '../domain/crm-workspace';
import { crmWorkspaceOf } from '../providers/crm-workspaces';

/**
 * The CRM workspaces the write-back writes to (the stack names them in `CRM_SYSTEMS` to the flows it grants them),
 * each built once per container on first use. Kept apart so that the flows without a write-back do not bundle the
 * CRMs' clients.
 */
export function crmWorkspacesFromEnv(env: NodeJS.ProcessEnv = process.env): (system: SourceSystem) => CrmWorkspace | undefined {
  const built = new Map<SourceSystem, CrmWorkspace | undefined>();
  return (system) => {
    if (!built.has(system)) built.set(system, crmWorkspaceOf(system, env));
    return built.get(system);
  };
}
