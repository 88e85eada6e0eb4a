import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type IdentityConfig, identityConfigSchema } from '../domain/identity-config';
import { OdooPartnerGateway } from '../erp/odoo/partner-gateway';
import { OdooPartnerMerger } from '../erp/odoo/partner-merger';
import { readJsonConfig } from '../platform/env';
import type { FlowInfrastructure } from '../platform/flow-consumer';
import { logger, metrics } from '../platform/powertools';
import { CustomerDirectoryTable } from '../state/customer-directory-table';
import type { CustomerIdentityPorts } from './customer-identity';

/** The one-customer settings (`IDENTITY_CONFIG`, JSON from the stage config's `identity`), validated at cold start. */
export function identityConfigFromEnv(): IdentityConfig {
  return readJsonConfig('IDENTITY_CONFIG', identityConfigSchema);
}

/**
 * What every flow that writes a customer's partner shares (customer-sync, billing-sync's unknown customers, the
 * CRM accounts): the directory in the identity-map table, Odoo's partners and their merges, the policy, and the
 * count of dropped non-owner writes (metric `FieldWriteDropped` by field and source, and a log line).
 */
export function customerIdentityPorts(infrastructure: Pick<FlowInfrastructure, 'odoo' | 'identityMap'> & { env: { IDENTITY_MAP_TABLE: string } }): CustomerIdentityPorts {
  return {
    directory: new CustomerDirectoryTable(DynamoDBDocumentClient.from(new DynamoDBClient({})), infrastructure.env.IDENTITY_MAP_TABLE),
    identityMap: infrastructure.identityMap,
    partners: new OdooPartnerGateway(infrastructure.odoo),
    merger: new OdooPartnerMerger(infrastructure.odoo),
    identity: identityConfigFromEnv(),
    onDroppedField: ({ field, source, record, customerId }) => {
      logger.info(`dropped ${field} from ${record}: the ${source} side does not own it`, { field, source, record, customerId });
      metrics.singleMetric().addDimension('field', field).addDimension('source', source).addMetric('FieldWriteDropped', MetricUnit.Count, 1);
    },
  };
}
