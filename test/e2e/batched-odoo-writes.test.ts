import { batchedOdooWrites } from './batched-odoo-writes';
import { ODOO_SANDBOX } from './local-stack-harness';

// Batch-first Odoo writes against the Odoo sandbox; the real Odoo runs are beside this file.
batchedOdooWrites(ODOO_SANDBOX);
