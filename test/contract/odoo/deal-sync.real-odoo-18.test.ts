import { describeOnRealOdoo } from '../../support/real-odoo';
import { dealSyncContract } from './deal-sync-contract';

describeOnRealOdoo('18.0', 'deal sync', (version) => dealSyncContract({ kind: 'real', version }));
