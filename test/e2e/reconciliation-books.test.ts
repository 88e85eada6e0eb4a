import { reconciliationBooks } from './reconciliation-books';

// The same books on the Odoo sandbox, both versions: fast, and where it disagrees with a real Odoo the
// sandbox is wrong (test/contract/real-odoo-cases).
reconciliationBooks({ kind: 'sandbox', version: '18.0' });
reconciliationBooks({ kind: 'sandbox', version: '19.0' });
