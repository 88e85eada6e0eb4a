#!/usr/bin/env node
/**
 * `npm run chaos`: a month of Stripe billing through the local stack under each fault a production run
 * meets (bench/chaos-faults.ts), each on a fresh stack, judged by what Odoo holds against what Stripe sent
 * and by what the DLQs hold. Runs against a real Odoo when the Odoo sources are there (ODOO_SOURCE_DIR or
 * ../shared/odoo; README, "Tests against a real Odoo"), else against the Odoo sandbox.
 *
 *   npm run chaos -- [--odoo 18.0|19.0|sandbox] [--customers N] [--long] [--only a,b] [--json]
 *
 * --customers: customers of the month, four webhooks each (default 100: 400 events); --long adds the
 * 15-minute outage; --only runs the named faults; --retry-delay-scale S speeds the flows' retry delays up
 * (default: the real delays — a faster clock burns receives faster than an outage lasts, which would
 * judge the retry policy unfairly); --json prints the results as JSON on stdout. Progress goes to stderr.
 * Exit code 1 when a fault ends with anything missing, duplicated, wrong, or an unexpected dead letter.
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { OdooUnderTest } from '../test/e2e/local-stack-harness';
import { type OdooVersion, odooSourceDir } from '../test/support/real-odoo';
import { FAULTS, type FaultName, type FaultResult, runFault } from './chaos-faults';

const { values } = parseArgs({
  options: {
    odoo: { type: 'string' },
    customers: { type: 'string', default: '100' },
    senders: { type: 'string', default: '16' },
    long: { type: 'boolean', default: false },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    'retry-delay-scale': { type: 'string' },
    'settle-minutes': { type: 'string', default: '30' },
  },
});

// The local runtime logs to stdout (schedules, …): stdout is kept for the report (--json: machine output).
const print = (text: string) => process.stdout.write(`${text}\n`);
console.log = console.error;

const odooChoice = values.odoo ?? (odooSourceDir() === undefined ? 'sandbox' : '18.0');
if (!['sandbox', '18.0', '19.0'].includes(odooChoice)) throw new Error(`--odoo must be 18.0, 19.0 or sandbox, not ${odooChoice}`);
const odoo: OdooUnderTest = odooChoice === 'sandbox' ? { kind: 'sandbox' } : { kind: 'real', version: odooChoice as OdooVersion, database: 'chaos' };
const only = values.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !FAULTS.some((fault) => fault.name === name)) ?? [];
if (unknown.length > 0) throw new Error(`unknown fault(s) ${unknown.join(', ')}; faults: ${FAULTS.map((fault) => fault.name).join(', ')}`);
const faults: FaultName[] = FAULTS.map((fault) => fault.name).filter((name) => (only ? only.includes(name) : name !== 'outage-15min' || values.long));

const settings = {
  odoo,
  customers: Number(values.customers),
  senders: Number(values.senders),
  settleTimeoutMs: Number(values['settle-minutes']) * 60_000,
  ...(values['retry-delay-scale'] === undefined ? {} : { retryDelayScale: Number(values['retry-delay-scale']) }),
  log: (line: string) => console.error(line),
};
const odooLabel = odoo.kind === 'real' ? `real Odoo ${odoo.version}` : 'the Odoo sandbox';
if (odoo.kind === 'sandbox' && odooSourceDir() === undefined) console.error('No Odoo source (ODOO_SOURCE_DIR): running against the Odoo sandbox.');
console.error(`Chaos: ${settings.customers} customers × 4 webhooks against ${odooLabel}; faults: ${faults.join(', ')}`);

const startedAt = new Date();
const results: FaultResult[] = [];
for (const name of faults) {
  console.error(`\n▶ ${name}`);
  const faultStart = performance.now();
  const result = await runFault(name, settings);
  results.push(result);
  console.error(`  ${result.pass ? 'PASS' : 'FAIL'} in ${((performance.now() - faultStart) / 1000).toFixed(0)} s (stack start and check included)`);
  // Each result as soon as it is known: a long run stopped halfway keeps what it measured.
  console.error(`  result ${JSON.stringify(result)}`);
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  odoo: odooLabel,
  date: startedAt.toISOString(),
  command: `npm run chaos -- ${process.argv.slice(2).join(' ')}`.trim(),
  customers: settings.customers,
  retryDelayScale: settings.retryDelayScale ?? 1,
};

print(values.json ? JSON.stringify({ machine, results }, null, 2) : report(results));
process.exitCode = results.every((result) => result.pass) ? 0 : 1;

function report(rows: readonly FaultResult[]): string {
  const docs = (check: FaultResult['invoices']) => (check.expected === 0 ? '—' : `${check.missing} / ${check.duplicate} / ${check.wrong}`);
  const letters = (row: FaultResult) => `${row.deadLetters.total}${row.deadLetters.expected > 0 || row.deadLetters.poisonMissing > 0 ? ` (poison ${row.deadLetters.expected}, poison missing ${row.deadLetters.poisonMissing})` : ''}`;
  const lines = [
    `Chaos bench: \`${machine.command}\` — ${machine.date.slice(0, 10)}; ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; ${machine.odoo}; ${machine.customers} customers × 4 webhooks; retry delays × ${machine.retryDelayScale}`,
    '',
    '| fault | events | duration (s) | events/s | Odoo calls (faulted) | invoices missing / dup / wrong | payments missing / dup / wrong | dead letters | verdict |',
    '|---|---:|---:|---:|---:|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.fault}: ${row.description} | ${row.events} | ${row.durationSeconds.toFixed(1)} | ${row.eventsPerSecond.toFixed(1)} | ${row.odooCalls} (${row.faultedCalls}) | ${docs(row.invoices)} | ${docs(row.payments)} | ${letters(row)} | ${row.pass ? 'pass' : '**FAIL**'} |`,
    ),
    '',
    ...rows.flatMap((row) => {
      const details = [
        ...Object.entries(row.deadLetters.reasons).map(([reason, count]) => `dead letter ×${count}: ${reason}`),
        ...(row.webhookAnswers ? [`answers: ${JSON.stringify(row.webhookAnswers)}; messages enqueued: ${row.enqueued}`] : []),
        ...(row.poisonApplied > 0 ? [`poison booked in Odoo: ${row.poisonApplied}`] : []),
        ...row.notes,
      ];
      return details.length === 0 ? [] : [`- **${row.fault}**: ${details.join('; ')}`];
    }),
  ];
  return lines.join('\n');
}
