import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { handleConsoleRequest } from '../../local/console/console-routes';
import { startLocalStack, type LocalStack } from '../../local/runtime/local-stack';

/**
 * Schedule rules (`ScheduleExpression`) in the whole runtime: they start, show their next run in the
 * ops console, and a run reaches the function through its pool, a failed run counted on the rule.
 * When runs are due is the unit tests' business (test/unit/local/rule-scheduler.test.ts, fake clock).
 */

const directories: string[] = [];
const stacks: LocalStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.stop()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function temporaryDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  directories.push(directory);
  return directory;
}

/** A cloud assembly with one function (the bundle fails when its input says so) and the given resources. */
function cloudAssembly(resources: Record<string, unknown>): string {
  const cdkOut = temporaryDirectory('cdk-out-');
  writeFileSync(join(cdkOut, 'manifest.json'), JSON.stringify({ artifacts: { Sched: { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/eu-west-1', properties: { templateFile: 'Sched.template.json' } } } }));
  writeFileSync(join(cdkOut, 'Sched.assets.json'), JSON.stringify({ files: { abc: { source: { path: 'asset.abc', packaging: 'zip' }, destinations: { d: { objectKey: 'abc.zip' } } } } }));
  mkdirSync(join(cdkOut, 'asset.abc'));
  writeFileSync(
    join(cdkOut, 'asset.abc', 'index.mjs'),
    `export const handler = async (event) => {
      if (event.fail) throw new Error('Stripe unreachable');
      return { detailType: event['detail-type'] ?? null };
    };`,
  );
  const template = {
    Resources: {
      Reconcile: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: 'reconcile', Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { S3Bucket: 'assets', S3Key: 'abc.zip' } },
      },
      ScheduleDlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'schedule-dlq' } },
      ...resources,
    },
  };
  writeFileSync(join(cdkOut, 'Sched.template.json'), JSON.stringify(template));
  return cdkOut;
}

function scheduleRule(expression: string, target: Record<string, unknown> = {}, properties: Record<string, unknown> = {}) {
  return {
    Type: 'AWS::Events::Rule',
    Properties: {
      ScheduleExpression: expression,
      State: 'ENABLED',
      Targets: [{ Id: 'Target0', Arn: { 'Fn::GetAtt': ['Reconcile', 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ScheduleDlq', 'Arn'] } }, ...target }],
      ...properties,
    },
  };
}

async function start(cdkOut: string): Promise<LocalStack> {
  const stack = await startLocalStack({
    cdkOut,
    stackName: 'Sched',
    dataDir: temporaryDirectory('local-data-'),
    port: 0,
    odoo: { url: 'http://127.0.0.1:9', database: 'db', login: 'admin', apiKey: 'key' },
    httpRoutes: [handleConsoleRequest],
  });
  stacks.push(stack);
  return stack;
}

/** The next 03:00 UTC after now, as `cron(0 3 * * ? *)` has it. */
function nextThreeAmUtc(now = new Date()): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 3);
  return new Date(today > now.getTime() ? today : today + 86_400_000).toISOString();
}

describe('schedule rules in the local runtime', () => {
  it('start, show their next run in the console and run their Lambda target', async () => {
    const startedAt = new Date();
    const stack = await start(
      cloudAssembly({
        Nightly: scheduleRule('cron(0 3 * * ? *)'),
        Failing: scheduleRule('rate(1 day)', { Input: '{"fail":true}' }),
        Paused: scheduleRule('rate(5 minutes)', {}, { State: 'DISABLED' }),
      }),
    );

    expect(stack.rules).toEqual([]);
    expect(stack.scheduleRules.map((rule) => [rule.name, rule.scheduleExpression, rule.state])).toEqual([
      ['Nightly', 'cron(0 3 * * ? *)', 'ENABLED'],
      ['Failing', 'rate(1 day)', 'ENABLED'],
      ['Paused', 'rate(5 minutes)', 'DISABLED'],
    ]);
    const nextRun = stack.scheduleRules[0]?.nextRun()?.toISOString();
    expect([nextThreeAmUtc(startedAt), nextThreeAmUtc()]).toContain(nextRun);
    expect(stack.scheduleRules[2]?.nextRun()).toBeUndefined();

    const state = (await (await fetch(`${stack.url}/_local/state`)).json()) as { flows: { rule: string; schedule?: { expression: string; state: string; nextRun?: string }; targets: { consumer?: { functionName: string } }[] }[] };
    const nightly = state.flows.find((flow) => flow.rule === 'Nightly');
    expect(nightly?.schedule).toEqual({ expression: 'cron(0 3 * * ? *)', state: 'ENABLED', nextRun });
    expect(nightly?.targets[0]?.consumer?.functionName).toBe('reconcile');
    expect(state.flows.find((flow) => flow.rule === 'Paused')?.schedule).toEqual({ expression: 'rate(5 minutes)', state: 'DISABLED' });

    await stack.runScheduleRule('Nightly');
    expect(stack.activity.activityOf('reconcile')).toMatchObject({ invocations: 1, errors: 0 });
    expect(stack.activity.deliveriesOf('Nightly')).toEqual({ delivered: 1, failed: 0 });
    expect(stack.activity.recentEvents()[0]).toMatchObject({ source: 'aws.events', detailType: 'Scheduled Event', matchedRules: ['Nightly'] });

    // The function failed, EventBridge did deliver: counted on the rule, not dead-lettered.
    await stack.runScheduleRule('Failing');
    expect(stack.activity.activityOf('reconcile')).toMatchObject({ invocations: 2, errors: 1 });
    expect(stack.activity.deliveriesOf('Failing')).toEqual({ delivered: 0, failed: 1 });
    expect(stack.queues.queueNamed('schedule-dlq').storedMessages()).toHaveLength(0);
  });

  it('stops the start on an invalid expression, naming the resource and the rule', async () => {
    await expect(start(cloudAssembly({ Nightly: scheduleRule('cron(0 3 * * * *)', {}, { Name: 'nightly-reconcile' }) }))).rejects.toThrow(
      'Nightly (AWS::Events::Rule): Schedule rule nightly-reconcile: Invalid schedule expression "cron(0 3 * * * *)": exactly one of day-of-month and day-of-week must be ?',
    );
  });

  it('refuses a schedule on a bus other than the default one, as AWS does', async () => {
    const cdkOut = cloudAssembly({
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'sync-bus' } },
      Nightly: scheduleRule('rate(1 day)', {}, { EventBusName: { Ref: 'Bus' } }),
    });
    await expect(start(cdkOut)).rejects.toThrow(/Nightly \(AWS::Events::Rule\) is not supported by the local runtime: a ScheduleExpression runs on the default bus only/);
  });
});
