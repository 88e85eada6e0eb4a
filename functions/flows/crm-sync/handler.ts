import { flowConsumer, flowInfrastructure } from '../../platform/flow-consumer';
import { crmWorkspacesFromEnv } from '../crm-write-back-wiring';
import { customerIdentityPorts } from '../identity-wiring';
import { syncCrm } from './sync-crm';

const infrastructure = flowInfrastructure();
const ports = { ...customerIdentityPorts(infrastructure), watermarks: infrastructure.watermarks, crmWorkspaceOf: crmWorkspacesFromEnv() };

/** crm-sync consumer: CRM accounts and contacts (canonical events, any CRM) → Odoo company and child partners. Wiring only. */
export const handler = flowConsumer(infrastructure, {
  flowName: 'crm-sync',
  apply: (event) => syncCrm(event, ports),
});
