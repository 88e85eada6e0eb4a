import { describe, expect, it } from 'vitest';
import {
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
  type EventPattern,
} from '../../../local/runtime/eventbridge/event-pattern';

// Examples from the EventBridge user guide ("Content filtering in Amazon EventBridge event patterns",
// "Comparison operators for use in event patterns", "Arrays in event patterns", "Matching null values
// and empty strings") and from the aws/event-ruler README, which is the engine behind EventBridge.

const matches = (pattern: EventPattern | string, event: unknown): boolean =>
  matchesEventPattern(parseEventPattern(pattern), event);

/** The sample event of the event-ruler README: every pattern in its "Ruler by Example" section matches it. */
const ec2StateChange = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const withDetail = (detail: Record<string, unknown>) => ({ ...ec2StateChange, detail });

describe('event pattern matching: the documented examples', () => {
  it.each<[string, EventPattern]>([
    [
      'simple matching (arrays are OR, the event array intersects)',
      {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
        detail: { state: ['initializing', 'running'] },
      },
    ],
    ['prefix', { time: [{ prefix: '2017-10-02' }] }],
    ['suffix', { source: [{ suffix: 'ec2' }] }],
    ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }],
    ['numeric', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } }],
    ['cidr', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }],
    ['exists true', { detail: { 'c-count': [{ exists: true }] } }],
    [
      'the complex example',
      {
        time: [{ prefix: '2017-10-02' }],
        detail: {
          state: [{ 'anything-but': 'initializing' }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ 'anything-but': [100, 200, 300] }],
          'source-ip': [{ cidr: '10.0.0.0/8' }],
        },
      },
    ],
  ])('%s matches the README sample event', (_name, pattern) => {
    expect(matches(pattern, ec2StateChange)).toBe(true);
  });

  it('anything-but rejects the listed strings and numbers, single or in a list', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({ state: 'initializing' }))).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, withDetail({ 'x-limit': 123 }))).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, withDetail({ 'x-limit': 124 }))).toBe(true);
    const notStoppedNorOverloaded = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matches(notStoppedNorOverloaded, withDetail({ state: 'overloaded' }))).toBe(false);
    expect(matches(notStoppedNorOverloaded, withDetail({ state: 'running' }))).toBe(true);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, withDetail({ 'x-limit': 200 }))).toBe(false);
  });

  it('anything-but takes a prefix, a suffix, equals-ignore-case and a wildcard', () => {
    const notInit = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matches(notInit, withDetail({ state: 'initializing' }))).toBe(false);
    expect(matches(notInit, withDetail({ state: 'running' }))).toBe(true);

    const notUs = { detail: { Region: [{ 'anything-but': { prefix: 'us-' } }] } };
    expect(matches(notUs, withDetail({ Region: 'us-east-1' }))).toBe(false);
    expect(matches(notUs, withDetail({ Region: 'eu-west-1' }))).toBe(true);

    const notPng = { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } };
    expect(matches(notPng, withDetail({ FileName: 'image.png' }))).toBe(false);
    expect(matches(notPng, withDetail({ FileName: 'image.jpg' }))).toBe(true);

    const notInitializingAnyCase = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } };
    expect(matches(notInitializingAnyCase, withDetail({ state: 'INITIALIZING' }))).toBe(false);
    expect(matches(notInitializingAnyCase, withDetail({ state: 'running' }))).toBe(true);

    const notUnderLib = { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } };
    expect(matches(notUnderLib, withDetail({ FilePath: '/usr/lib/node' }))).toBe(false);
    expect(matches(notUnderLib, withDetail({ FilePath: '/usr/bin/node' }))).toBe(true);
  });

  it('prefix and suffix have an equals-ignore-case variant', () => {
    const eventbPrefix = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    expect(matches(eventbPrefix, withDetail({ service: 'EVENTBRIDGE' }))).toBe(true);
    expect(matches(eventbPrefix, withDetail({ service: 'lambda' }))).toBe(false);
    const pngSuffix = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matches(pngSuffix, withDetail({ FileName: 'PHOTO.PNG' }))).toBe(true);
    expect(matches({ detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'PHOTO.PNG' }))).toBe(false);
    expect(matches({ detail: { Name: [{ 'equals-ignore-case': 'alice' }] } }, withDetail({ Name: 'Alice' }))).toBe(true);
  });

  it('wildcard matches any run of characters and only that', () => {
    const simpleService = { source: [{ wildcard: 'Simple*Service' }] };
    expect(matches(simpleService, { source: 'SimpleQueueService' })).toBe(true);
    expect(matches(simpleService, { source: 'SimpleService' })).toBe(true);
    expect(matches(simpleService, { source: 'SimpleQueueServices' })).toBe(false);
    expect(matches({ file: [{ wildcard: 'a\\*b' }] }, { file: 'a*b' })).toBe(true);
    expect(matches({ file: [{ wildcard: 'a\\*b' }] }, { file: 'axb' })).toBe(false);
  });

  it('numeric ranges fail outside the range and on non-numbers', () => {
    const pattern = { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } };
    expect(matches(pattern, withDetail({ 'c-count': 6 }))).toBe(false);
    expect(matches(pattern, withDetail({ 'c-count': 0 }))).toBe(false);
    expect(matches(pattern, withDetail({ 'c-count': '5' }))).toBe(false);
  });

  it('exists true needs the leaf; exists false matches a missing field or an intermediate node', () => {
    const hasState = { detail: { state: [{ exists: true }] } };
    const documentedMatch = {
      version: '0',
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: '2015-11-11T21:29:54Z',
      region: 'us-east-1',
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
      detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
    };
    const documentedNoMatch = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { 'c-count': { c1: 100 } },
    };
    expect(matches(hasState, documentedMatch)).toBe(true);
    expect(matches(hasState, documentedNoMatch)).toBe(false);

    const noCCount = { detail: { 'c-count': [{ exists: false }] } };
    expect(matches(noCCount, { detail: { state: ['initializing', 'running'] } })).toBe(true);
    expect(matches(noCCount, { detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } })).toBe(true);
    expect(matches(noCCount, ec2StateChange)).toBe(false);
  });

  it('null and the empty string match themselves and are not interchangeable', () => {
    const autoscalingLaunch = {
      version: '0',
      id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
      'detail-type': 'EC2 Instance Launch Successful',
      source: 'aws.autoscaling',
      account: '123456789012',
      time: '2015-11-11T21:31:47Z',
      region: 'us-east-1',
      resources: [],
      detail: { eventVersion: '', responseElements: null },
    };
    expect(matches({ detail: { eventVersion: [''] } }, autoscalingLaunch)).toBe(true);
    expect(matches({ detail: { responseElements: [null] } }, autoscalingLaunch)).toBe(true);
    expect(matches({ detail: { eventVersion: [null] } }, autoscalingLaunch)).toBe(false);
    expect(matches({ detail: { responseElements: [''] } }, autoscalingLaunch)).toBe(false);
  });

  it('an event array matches when it intersects the pattern array', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matches(pattern, event)).toBe(true);
    expect(matches(pattern, { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] })).toBe(false);
  });

  it('a nested pattern matches an array of objects when one element matches', () => {
    const pattern = { detail: { lines: { sku: ['pro'] } } };
    expect(matches(pattern, { detail: { lines: [{ sku: 'basic' }, { sku: 'pro' }] } })).toBe(true);
    expect(matches(pattern, { detail: { lines: [{ sku: 'basic' }] } })).toBe(false);
  });

  it('exact values compare numbers by value and booleans strictly', () => {
    expect(matches({ detail: { 'x-limit': [3.018e2] } }, ec2StateChange)).toBe(true);
    expect(matches({ detail: { paid: [true] } }, { detail: { paid: true } })).toBe(true);
    expect(matches({ detail: { paid: [true] } }, { detail: { paid: 'true' } })).toBe(false);
  });

  it('$or: source AND (metricName OR namespace), and nested OR/AND', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };
    expect(matches(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/EC2' })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricName: 'Other' })).toBe(false);
    expect(matches(pattern, { source: 'aws.ec2', namespace: 'AWS/EC2' })).toBe(false);

    const nested = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      ],
    };
    expect(matches(nested, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 })).toBe(true);
    expect(matches(nested, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 })).toBe(false);
  });

  it('a key given twice in a JSON pattern: the last one counts, as the guide notes', () => {
    const pattern = '{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}';
    expect(matches(pattern, { detail: { location: 'eu-west' } })).toBe(true);
    expect(matches(pattern, { detail: { location: 'us-east' } })).toBe(false);
  });

  it('rejects an unknown operator with its path, like PutRule', () => {
    expect(() => parseEventPattern({ detail: { state: [{ contains: 'x' }] } })).toThrow(InvalidEventPatternError);
    expect(() => parseEventPattern({ detail: { state: [{ contains: 'x' }] } })).toThrow(/detail\.state\[0\]/);
    expect(() => parseEventPattern({ source: 'aws.ec2' })).toThrow(/source/);
  });
});
