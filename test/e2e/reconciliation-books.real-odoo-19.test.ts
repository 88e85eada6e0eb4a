import { describeOnRealOdoo } from '../support/real-odoo';
import { reconciliationBooks } from './reconciliation-books';

describeOnRealOdoo('19.0', 'reconciliation of real books', (version) => reconciliationBooks({ kind: 'real', version, database: 'reconcile_books' }));
