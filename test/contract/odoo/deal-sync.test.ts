import { describe } from 'vitest';
import { dealSyncContract } from './deal-sync-contract';

describe.each(['18.0', '19.0'] as const)('deal sync against the Odoo %s sandbox', (version) => dealSyncContract({ kind: 'sandbox', version }));
