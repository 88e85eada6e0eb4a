// The Lambda runtime inside one worker thread: one warm "container" of a function. Plain JavaScript,
// not TypeScript, because a Worker loads this file directly, outside tsx and vitest's transforms.
//
// It loads the bundle the way the Node.js Lambda runtime does (`.mjs` as ESM, `.cjs` as CommonJS,
// `.js` by the `type` of a package.json in the code directory only, since /var/task has no parent
// package.json), builds the Lambda context and answers each invocation with the result or the error
// in Lambda's shape.

import { readFileSync, existsSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ codeDirectory: string, handler: string, functionName: string, invokedFunctionArn: string, memoryLimitInMB: string, logGroupName: string, logStreamName: string }} */
const settings = workerData;

/** @type {Promise<Function> | undefined} */
let handlerLoading;

parentPort.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  let handlerStartedAt;
  try {
    const handler = await (handlerLoading ??= loadHandler());
    handlerStartedAt = epochNow();
    const result = await callHandler(handler, message.event, buildContext(message));
    const handlerEndedAt = epochNow();
    parentPort.postMessage({ type: 'result', requestId: message.requestId, payload: JSON.stringify(result ?? null), timing: { handlerStartedAt, handlerEndedAt } });
  } catch (error) {
    const handlerEndedAt = epochNow();
    parentPort.postMessage({
      type: 'error',
      requestId: message.requestId,
      error: toLambdaError(error),
      ...(handlerStartedAt !== undefined ? { timing: { handlerStartedAt, handlerEndedAt } } : {}),
    });
  }
});

/**
 * Milliseconds since the epoch with sub-millisecond precision, comparable across threads: what Lambda's
 * REPORT line measures as Duration (the handler, without the runtime's hand-offs around it).
 */
function epochNow() {
  return performance.timeOrigin + performance.now();
}

async function loadHandler() {
  const separator = settings.handler.lastIndexOf('.');
  const modulePath = settings.handler.slice(0, separator);
  const exportName = settings.handler.slice(separator + 1);
  const file = ['.mjs', '.js', '.cjs'].map((extension) => join(settings.codeDirectory, modulePath + extension)).find((candidate) => existsSync(candidate));
  if (!file) throw runtimeError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`);
  const loaded = isEcmaScriptModule(file) ? await import(pathToFileURL(file).href) : loadCommonJs(file);
  const handler = loaded[exportName] ?? loaded.default?.[exportName];
  if (typeof handler !== 'function') throw runtimeError('Runtime.HandlerNotFound', `${settings.handler} is undefined or not exported`);
  return handler;
}

function isEcmaScriptModule(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  const packageJson = join(settings.codeDirectory, 'package.json');
  return existsSync(packageJson) && JSON.parse(readFileSync(packageJson, 'utf8')).type === 'module';
}

/**
 * Compiles the file as CommonJS whatever package.json sits above the cdk.out asset (this repository's
 * says "type": "module"), as Lambda would in /var/task.
 */
function loadCommonJs(file) {
  const commonJsModule = new Module(file);
  commonJsModule.filename = file;
  commonJsModule.paths = Module._nodeModulePaths(dirname(file));
  commonJsModule._compile(readFileSync(file, 'utf8'), file);
  return commonJsModule.exports;
}

function buildContext(message) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: settings.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: settings.invokedFunctionArn,
    memoryLimitInMB: settings.memoryLimitInMB,
    awsRequestId: message.requestId,
    logGroupName: settings.logGroupName,
    logStreamName: settings.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
  };
}

/** Async handlers return a promise; callback-style handlers (three parameters) call back. */
function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, value) => (error ? reject(error) : resolve(value));
    Object.assign(context, { done: callback, succeed: (value) => resolve(value), fail: (error) => reject(error) });
    const returned = handler(event, context, callback);
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    else if (handler.length < 3) resolve(returned);
  });
}

function runtimeError(errorType, errorMessage) {
  const error = new Error(errorMessage);
  error.lambdaErrorType = errorType;
  return error;
}

/**
 * Lambda's error shape: the error's `name` as errorType (as the Node.js runtime reports it: a minified bundle's class
 * is renamed, its `name` is what Step Functions' Retry/Catch and the logs see), its message, its stack.
 */
function toLambdaError(error) {
  if (error instanceof Error) {
    return {
      errorType: error.lambdaErrorType ?? (error.name || error.constructor?.name || 'Error'),
      errorMessage: error.message,
      stack: error.stack,
    };
  }
  return { errorType: typeof error, errorMessage: String(error) };
}
