import { describeOnRealOdoo } from '../../support/real-odoo';
import { dealSyncContract } from './deal-sync-contract';

describeOnRealOdoo('19.0', 'deal sync', (version) => dealSyncContract({ kind: 'real', version }));
