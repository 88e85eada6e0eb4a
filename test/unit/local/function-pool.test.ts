import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LambdaFunctionPool, LambdaThrottledError, type LambdaFunctionDefinition } from '../../../local/runtime/lambda/function-pool';

let assetsDirectory: string;
const pools: LambdaFunctionPool[] = [];

/** Writes a one-file bundle as cdk.out holds it (asset.<hash>/index.mjs or index.js). */
function writeBundle(name: string, fileName: string, source: string): string {
  const directory = join(assetsDirectory, `asset.${name}`);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, fileName), source);
  return directory;
}

function poolFor(definition: Omit<LambdaFunctionDefinition, 'handler'> & { handler?: string }): LambdaFunctionPool {
  const pool = new LambdaFunctionPool({ handler: 'index.handler', ...definition });
  pools.push(pool);
  return pool;
}

beforeAll(() => {
  assetsDirectory = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  // Like this repository: a "type": "module" package.json above cdk.out must not change how index.js loads.
  writeFileSync(join(assetsDirectory, 'package.json'), '{"type":"module"}');
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});
afterAll(() => rmSync(assetsDirectory, { recursive: true, force: true }));

describe('LambdaFunctionPool', () => {
  it('runs an ESM bundle with its own environment and a Lambda context', async () => {
    process.env['HOST_ONLY_VARIABLE'] = 'must not leak';
    const codeDirectory = writeBundle(
      'esm',
      'index.mjs',
      `export const handler = async (event, context) => ({
        greeting: process.env.GREETING + ' ' + event.name,
        leaked: process.env.HOST_ONLY_VARIABLE ?? null,
        region: process.env.AWS_REGION,
        functionName: context.functionName,
        invokedFunctionArn: context.invokedFunctionArn,
        memoryLimitInMB: context.memoryLimitInMB,
        logGroupName: context.logGroupName,
        awsRequestId: context.awsRequestId,
        remaining: context.getRemainingTimeInMillis(),
      });`,
    );
    const pool = poolFor({ functionName: 'ingest-stripe', codeDirectory, environment: { GREETING: 'hello' }, timeoutSeconds: 10, memorySizeMb: 256 });

    const result = await pool.invoke({ name: 'odoo' });
    delete process.env['HOST_ONLY_VARIABLE'];

    expect(result.status).toBe('succeeded');
    const payload = result.status === 'succeeded' ? (result.payload as Record<string, unknown>) : {};
    expect(payload).toMatchObject({
      greeting: 'hello odoo',
      leaked: null,
      region: 'us-east-1',
      functionName: 'ingest-stripe',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ingest-stripe',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/ingest-stripe',
      awsRequestId: result.requestId,
    });
    expect(payload['remaining']).toBeGreaterThan(9_000);
    expect(payload['remaining']).toBeLessThanOrEqual(10_000);
  });

  it('reuses a warm execution: module state survives between invocations, like a container', async () => {
    const codeDirectory = writeBundle('warm', 'index.mjs', `let invocations = 0; export const handler = async () => ++invocations;`);
    const pool = poolFor({ functionName: 'warm', codeDirectory });

    const first = await pool.invoke({});
    const second = await pool.invoke({});

    expect([first, second].map((result) => (result.status === 'succeeded' ? result.payload : undefined))).toEqual([1, 2]);
    expect(pool.warmExecutionCount).toBe(1);
  });

  it('reports when the handler ran, measured in the worker, within the invocation as its caller sees it', async () => {
    const codeDirectory = writeBundle('timed', 'index.mjs', `export const handler = async () => { await new Promise((r) => setTimeout(r, 30)); return 'ok'; };`);
    const pool = poolFor({ functionName: 'timed', codeDirectory });
    await pool.invoke({}); // cold start: loading the bundle is not handler time

    const invokedAt = performance.timeOrigin + performance.now();
    const result = await pool.invoke({});
    const returnedAt = performance.timeOrigin + performance.now();

    const { handlerStartedAt = Number.NaN, handlerEndedAt = Number.NaN } = result.timing ?? {};
    expect(handlerStartedAt).toBeGreaterThanOrEqual(invokedAt);
    expect(handlerEndedAt).toBeLessThanOrEqual(returnedAt);
    expect(handlerEndedAt - handlerStartedAt).toBeGreaterThanOrEqual(29);
  });

  it('loads a CommonJS index.js as CommonJS, and supports callback handlers', async () => {
    const codeDirectory = writeBundle(
      'cjs',
      'index.js',
      `const path = require('node:path');
       exports.handler = (event, context, callback) => callback(null, { joined: path.posix.join('a', event.segment) });`,
    );
    const result = await poolFor({ functionName: 'cjs', codeDirectory }).invoke({ segment: 'b' });
    expect(result).toMatchObject({ status: 'succeeded', payload: { joined: 'a/b' } });
  });

  it('returns a thrown error as errorType, errorMessage and stack', async () => {
    const codeDirectory = writeBundle(
      'throws',
      'index.mjs',
      `class OdooValidationError extends Error { name = 'OdooValidationError'; }
       export const handler = async () => { throw new OdooValidationError('partner has no country'); };`,
    );
    const result = await poolFor({ functionName: 'throws', codeDirectory }).invoke({});
    expect(result).toMatchObject({
      status: 'failed',
      error: { errorType: 'OdooValidationError', errorMessage: 'partner has no country', stack: expect.stringContaining('index.mjs') },
    });
  });

  it('names the error by its `name`, as the Node.js runtime does, not by a minified class name', async () => {
    const codeDirectory = writeBundle(
      'minified',
      'index.mjs',
      `class D extends Error { name = 'RetryableSyncError'; }
       export const handler = async () => { throw new D('Odoo is restarting'); };`,
    );
    const result = await poolFor({ functionName: 'minified', codeDirectory }).invoke({});
    expect(result).toMatchObject({ status: 'failed', error: { errorType: 'RetryableSyncError', errorMessage: 'Odoo is restarting' } });
  });

  it('stops a function at its timeout with Lambda\'s message, and the next invocation gets a fresh execution', async () => {
    const codeDirectory = writeBundle(
      'slow',
      'index.mjs',
      `export const handler = async (event) => { if (event.hang) await new Promise(() => setInterval(() => {}, 1000)); return 'done'; };`,
    );
    // Long enough for a fresh execution's start on a loaded CI machine (the timeout covers it, as Lambda's does).
    const pool = poolFor({ functionName: 'slow', codeDirectory, timeoutSeconds: 3 });

    const timedOut = await pool.invoke({ hang: true });
    expect(timedOut).toMatchObject({ status: 'failed', error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 3.00 seconds' } });

    expect(await pool.invoke({ hang: false })).toMatchObject({ status: 'succeeded', payload: 'done' });
  });

  it('reports a missing handler export as Runtime.HandlerNotFound', async () => {
    const codeDirectory = writeBundle('no-handler', 'index.mjs', `export const other = () => 1;`);
    const result = await poolFor({ functionName: 'no-handler', codeDirectory }).invoke({});
    expect(result).toMatchObject({ status: 'failed', error: { errorType: 'Runtime.HandlerNotFound' } });
  });

  describe('reserved concurrency', () => {
    const sleeper = () => writeBundle('sleeper', 'index.mjs', `export const handler = async () => { await new Promise((r) => setTimeout(r, 150)); return Date.now(); };`);

    it('throttles an invocation beyond it', async () => {
      const pool = poolFor({ functionName: 'sleeper', codeDirectory: sleeper(), reservedConcurrency: 1 });
      const running = pool.invoke({});
      await expect(pool.invoke({})).rejects.toBeInstanceOf(LambdaThrottledError);
      expect((await running).status).toBe('succeeded');
    });

    it('or queues it, never running more executions at once', async () => {
      const pool = poolFor({ functionName: 'sleeper', codeDirectory: sleeper(), reservedConcurrency: 1, whenThrottled: 'wait' });
      const results = await Promise.all([pool.invoke({}), pool.invoke({}), pool.invoke({})]);
      expect(results.every((result) => result.status === 'succeeded')).toBe(true);
      expect(pool.warmExecutionCount).toBe(1);
    });
  });
});
