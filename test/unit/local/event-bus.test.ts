import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventArchive } from '../../../local/runtime/eventbridge/event-archive';
import {
  LocalEventBus,
  type BusRule,
  type TargetDelivery,
  type TargetKind,
} from '../../../local/runtime/eventbridge/event-bus';
import { renderTargetInput } from '../../../local/runtime/eventbridge/target-input';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:invoices';

function recordingDispatchers() {
  const delivered: TargetDelivery[] = [];
  const record = async (delivery: TargetDelivery) => {
    delivered.push(delivery);
  };
  const dispatchers: Record<TargetKind, typeof record> = { sqs: record, lambda: record, sfn: record };
  return { delivered, dispatchers };
}

const invoiceRule: BusRule = {
  name: 'invoices-to-flow',
  eventPattern: { source: ['saas-sync'], 'detail-type': [{ prefix: 'billing.invoice.' }] },
  targets: [{ id: 'queue', arn: QUEUE_ARN, kind: 'sqs' }],
  state: 'ENABLED',
};

const invoiceIssued = {
  Source: 'saas-sync',
  DetailType: 'billing.invoice.issued',
  Detail: JSON.stringify({ id: 'evt_1', data: { amount: 1999 } }),
};

describe('LocalEventBus.putEvents', () => {
  it('builds the envelope AWS builds and delivers it to the matching rule target', async () => {
    const { delivered, dispatchers } = recordingDispatchers();
    const bus = new LocalEventBus({ name: 'sync-bus', dispatchers, now: () => new Date('2026-03-01T10:00:00.123Z') });
    bus.putRule(invoiceRule);

    const result = await bus.putEvents([invoiceIssued]);

    expect(result.FailedEntryCount).toBe(0);
    expect(delivered).toHaveLength(1);
    const body = JSON.parse(delivered[0]?.input ?? '');
    expect(body).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'billing.invoice.issued',
      source: 'saas-sync',
      account: '000000000000',
      time: '2026-03-01T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: { id: 'evt_1', data: { amount: 1999 } },
    });
    expect(result.Entries[0]).toEqual({ EventId: body.id });
    expect(delivered[0]?.target.arn).toBe(QUEUE_ARN);
  });

  it('skips rules that do not match or are disabled', async () => {
    const { delivered, dispatchers } = recordingDispatchers();
    const bus = new LocalEventBus({ name: 'sync-bus', dispatchers });
    bus.putRule(invoiceRule);
    bus.putRule({ ...invoiceRule, name: 'disabled', state: 'DISABLED' });

    await bus.putEvents([{ ...invoiceIssued, DetailType: 'crm.contact.updated' }]);
    expect(delivered).toHaveLength(0);

    await bus.putEvents([invoiceIssued]);
    expect(delivered.map((delivery) => delivery.ruleName)).toEqual(['invoices-to-flow']);
  });

  it('reports a malformed entry in its result slot and accepts the others', async () => {
    const { dispatchers } = recordingDispatchers();
    const bus = new LocalEventBus({ name: 'sync-bus', dispatchers });

    const result = await bus.putEvents([{ ...invoiceIssued, Detail: 'not json' }, invoiceIssued, { Detail: '{}' }]);

    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries[0]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
    expect(result.Entries[1]).toHaveProperty('EventId');
    expect(result.Entries[2]).toMatchObject({ ErrorCode: 'InvalidArgument' });
  });

  it('a failing target does not fail PutEvents; the failure is reported', async () => {
    const failures: string[] = [];
    const { dispatchers } = recordingDispatchers();
    const bus = new LocalEventBus({
      name: 'sync-bus',
      dispatchers: { ...dispatchers, sqs: async () => Promise.reject(new Error('queue is gone')) },
      onDeliveryFailure: (delivery, error) => failures.push(`${delivery.target.id}: ${(error as Error).message}`),
    });
    bus.putRule(invoiceRule);

    const result = await bus.putEvents([invoiceIssued]);

    expect(result.FailedEntryCount).toBe(0);
    expect(failures).toEqual(['queue: queue is gone']);
  });

  it('passes the SQS message group of a FIFO target to the dispatcher', async () => {
    const { delivered, dispatchers } = recordingDispatchers();
    const bus = new LocalEventBus({ name: 'sync-bus', dispatchers });
    bus.putRule({ ...invoiceRule, targets: [{ id: 'fifo', arn: `${QUEUE_ARN}.fifo`, kind: 'sqs', sqsMessageGroupId: 'invoices' }] });

    await bus.putEvents([invoiceIssued]);

    expect(delivered[0]?.target.sqsMessageGroupId).toBe('invoices');
  });
});

describe('target input', () => {
  // The example event and templates of the guide's "Input Transform Examples".
  const ec2Event = {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2015-11-11T21:29:54Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
  };
  const inputPathsMap = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state' };
  const context = {
    ruleName: 'example',
    ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
    ingestionTime: '2015-11-11T21:29:55.000Z',
  };
  const render = (inputTemplate: string) => renderTargetInput({ inputTransformer: { inputPathsMap, inputTemplate } }, ec2Event, context);

  it('renders the documented templates', () => {
    expect(render('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
    expect(render('"instance \\"<instance>\\" is in <state>"')).toBe('"instance \\"i-0123456789\\" is in RUNNING"');
    expect(JSON.parse(render('{"instance" : <instance>, "state": <state>}'))).toEqual({ instance: 'i-0123456789', state: 'RUNNING' });
    expect(JSON.parse(render('{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}'))).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      instanceStatus: 'instance "i-0123456789" is in RUNNING',
    });
    expect(JSON.parse(render('{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}'))).toEqual({
      instance: 'i-0123456789',
      state: [9, 'RUNNING', true],
      Transformed: 'Yes',
    });
    expect(render('"<aws.events.rule-name> triggered"')).toBe('"example triggered"');
  });

  it('renders reserved variables: the rule and the original event', () => {
    const rendered = JSON.parse(render('{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "original": <aws.events.event.json>}'));
    expect(rendered).toEqual({ ruleArn: context.ruleArn, ruleName: 'example', original: ec2Event });
    expect(JSON.parse(render('{"envelope": <aws.events.event>}')).envelope).not.toHaveProperty('detail');
  });

  it('InputPath selects part of the event; a constant Input replaces it', () => {
    expect(JSON.parse(renderTargetInput({ inputPath: '$.detail' }, ec2Event, context))).toEqual(ec2Event.detail);
    expect(JSON.parse(renderTargetInput({ inputPath: '$.resources[0]' }, ec2Event, context))).toBe(ec2Event.resources[0]);
    expect(renderTargetInput({ input: '{"ping":true}' }, ec2Event, context)).toBe('{"ping":true}');
  });

  it('a variable whose path is absent renders as null, keeping the JSON valid', () => {
    const rendered = renderTargetInput({ inputTransformer: { inputPathsMap: { missing: '$.detail.nope' }, inputTemplate: '{"value": <missing>}' } }, ec2Event, context);
    expect(JSON.parse(rendered)).toEqual({ value: null });
  });
});

describe('archive and replay', () => {
  let dataDirectory: string;
  beforeEach(() => {
    dataDirectory = mkdtempSync(join(tmpdir(), 'event-archive-'));
  });
  afterEach(() => rmSync(dataDirectory, { recursive: true, force: true }));

  it('archives every accepted event to a JSONL file and replays a window with replay-name, after a restart', async () => {
    const archivePath = join(dataDirectory, 'archive.jsonl');
    let clock = new Date('2026-03-01T10:00:00Z');
    const firstRun = new LocalEventBus({
      name: 'sync-bus',
      dispatchers: recordingDispatchers().dispatchers,
      archive: new EventArchive({ filePath: archivePath }),
      now: () => clock,
    });
    await firstRun.putEvents([{ ...invoiceIssued, Detail: '{"n":1}' }]);
    clock = new Date('2026-03-01T11:00:00Z');
    await firstRun.putEvents([{ ...invoiceIssued, Detail: '{"n":2}' }]);
    expect(readFileSync(archivePath, 'utf8').trim().split('\n')).toHaveLength(2);

    // A new process: same archive file, fresh bus.
    const { delivered, dispatchers } = recordingDispatchers();
    const restarted = new LocalEventBus({ name: 'sync-bus', dispatchers, archive: new EventArchive({ filePath: archivePath }) });
    restarted.putRule(invoiceRule);
    restarted.putRule({ ...invoiceRule, name: 'other-rule' });

    const result = await restarted.replay({
      replayName: 'after-fix',
      from: new Date('2026-03-01T10:30:00Z'),
      to: new Date('2026-03-01T12:00:00Z'),
      ruleNames: ['invoices-to-flow'],
    });

    expect(result.replayedEventCount).toBe(1);
    expect(delivered).toHaveLength(1);
    const replayed = JSON.parse(delivered[0]?.input ?? '');
    expect(replayed['replay-name']).toBe('after-fix');
    expect(replayed.detail).toEqual({ n: 2 });
    expect(readFileSync(archivePath, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
