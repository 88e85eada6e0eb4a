import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/runtime/local-aws-identity';
import { stripeEvent, stripeObjects } from '../fixtures/stripe/stripe-events';
import { customerSyncQueues, type Harness, postStripeWebhook, startHarness, waitFor } from './local-stack-harness';

/** The ops console in headless Chromium: flows with live counts, a dead letter with its reason, redrive. */

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
// On a developer machine without Chromium the test is skipped with a warning; CI installs it (.ci/run), so there it must run.
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is absent: .ci/run installs Debian's chromium before npm test`);
if (!hasChromium) console.warn(`ops console test skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`);

let harness: Harness;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  harness = await startHarness();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe.skipIf(!hasChromium)('the ops console', () => {
  it('shows the flow and a dead letter with its reason, and its Redrive button sends the message back through the flow', async () => {
    // Prepare: one customer through the flow, and a second customer's event sitting in the DLQ as if Odoo had been down.
    expect((await postStripeWebhook(harness.webhookUrl, stripeEvent('customer.created', { ...stripeObjects.customer, id: 'cus_console_a', name: 'Console A' }, { id: 'evt_console_a' }))).status).toBe(200);
    await waitFor(() => harness.odoo.partnerByExternalId('saas_sync.stripe_customer_cus_console_a'), { what: 'the first partner' });
    const { deadLetterQueue } = customerSyncQueues(harness.stack);
    const archiveDirectory = join(harness.stack.dataDir, 'eventbridge');
    const archived = readFileSync(join(archiveDirectory, readdirSync(archiveDirectory)[0] ?? ''), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { event: unknown });
    const failedBody = JSON.stringify(archived[0]?.event).replaceAll('cus_console_a', 'cus_console_b').replaceAll('evt_console_a', 'evt_console_b').replaceAll('Console A', 'Console B');
    const sqs = new SQSClient({ endpoint: harness.stack.endpoints.sqs, region: harness.stack.identity.region, credentials: LOCAL_CREDENTIALS });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: `${harness.stack.endpoints.sqs}/${harness.stack.identity.accountId}/${deadLetterQueue}`,
        MessageBody: failedBody,
        MessageAttributes: {
          FailureReason: { DataType: 'String', StringValue: 'Odoo answered 503 five times (simulated outage)' },
          ErrorType: { DataType: 'String', StringValue: 'OdooUnavailableError' },
          CorrelationId: { DataType: 'String', StringValue: 'stripe:evt_console_b' },
        },
      }),
    );
    sqs.destroy();

    // Act: open the console.
    const page = await browser.newPage();
    await page.goto(`${harness.stack.url}/`);

    // Assess: the flow rule → queue → consumer with its counts, the event with its correlation id, the dead letter with its reason.
    const flows = page.getByTestId('flows');
    await expect.poll(() => flows.textContent()).toMatch(/customer\.upserted/);
    expect(await flows.textContent()).toMatch(/invocations [1-9]/);
    await expect.poll(() => page.getByTestId('events').textContent()).toContain('stripe:evt_console_a');
    const deadLetters = page.getByTestId('dead-letters');
    await expect.poll(() => deadLetters.textContent()).toContain('Odoo answered 503 five times (simulated outage)');
    expect(await deadLetters.textContent()).toContain('OdooUnavailableError');

    await page.locator(`button[data-redrive="${deadLetterQueue}"]`).click();

    await waitFor(() => harness.odoo.partnerByExternalId('saas_sync.stripe_customer_cus_console_b'), { what: 'the redriven customer in Odoo' });
    await expect.poll(() => deadLetters.textContent(), { timeout: 5000 }).toContain('no dead letters');
    await page.close();
  });

  it('shows a saga execution’s states with their input and error, and its Redrive button runs it again from the failed state', async () => {
    // Prepare: a dunning execution whose first step refuses its input (no event in it): it fails for good at once.
    const dunning = harness.stack.stateMachines.stateMachineArns().find((arn) => arn.includes('dunning'))!;
    const started = harness.stack.stateMachines.startExecution({ stateMachineArn: dunning, name: 'console-saga', input: JSON.stringify({ sagaId: 'console-saga' }) });
    await waitFor(() => (harness.stack.stateMachines.describeExecution(started.executionArn)?.status === 'FAILED' ? true : undefined), { what: 'the execution to fail' });

    // Act: open the console and unfold the execution's states.
    const page = await browser.newPage();
    await page.goto(`${harness.stack.url}/`);
    const executions = page.getByTestId('executions');
    await expect.poll(() => executions.textContent()).toContain('console-saga');
    await page.locator('button[data-states="console-saga"]').click();

    // Assess: each state with its status, its input, and the step's error.
    await expect.poll(() => page.locator('tr[data-state="MarkPastDue"]').textContent()).toContain('CAUGHT');
    const step = await page.locator('tr[data-state="MarkPastDue"]').textContent();
    expect(step).toContain('{"sagaId":"console-saga"}');
    expect(step).toMatch(/PermanentSyncError: InvalidSagaStateError: dunning step MarkPastDue/);
    expect(await page.locator('tr[data-state="Failed"]').textContent()).toContain('FAILED');

    await page.locator('button[data-redrive-execution="console-saga"]').click();

    // The failed state was the Fail state: redriven, the execution fails there again, and says it was redriven.
    await expect.poll(() => page.locator('tr[data-execution="console-saga"]').textContent(), { timeout: 10_000 }).toContain('FAILED (redriven 1×)');
    expect(harness.stack.stateMachines.describeExecution(started.executionArn)).toMatchObject({ status: 'FAILED', redriveCount: 1 });
    await page.close();
  });
});
