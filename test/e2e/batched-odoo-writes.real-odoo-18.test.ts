import { describeOnRealOdoo } from '../support/real-odoo';
import { batchedOdooWrites } from './batched-odoo-writes';

describeOnRealOdoo('18.0', 'batch-first Odoo writes', (version) => batchedOdooWrites({ kind: 'real', version, database: 'e2e_batched_writes' }));
