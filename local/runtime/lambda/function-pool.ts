import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { arnFor, DEFAULT_LOCAL_IDENTITY, type LocalAwsIdentity } from '../local-aws-identity';

/**
 * Runs one function's bundle (from cdk.out) the way Lambda runs it: one worker thread per concurrent
 * execution, kept warm and reused like a Lambda container, with its own environment, a Lambda context,
 * the timeout enforced by terminating the worker, and reserved concurrency honoured.
 *
 * Why worker threads and not child processes: a worker starts in milliseconds and still gives each
 * execution its own module state and `process.env` (a Worker's `env` option is a private copy), which
 * is what a bundle observes of its container. Hand-written because the Lambda emulators (SAM, the
 * runtime interface emulator) need Docker.
 */

export interface LambdaFunctionDefinition {
  readonly functionName: string;
  /** The asset directory in cdk.out that holds the bundle. */
  readonly codeDirectory: string;
  /** `index.handler`: file `index.mjs|.js|.cjs` in the code directory, export `handler`. */
  readonly handler: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** Lambda's default is 3 seconds. */
  readonly timeoutSeconds?: number;
  readonly memorySizeMb?: number;
  /** At most this many executions at once; beyond, `whenThrottled` decides. */
  readonly reservedConcurrency?: number;
  /**
   * `reject` throws `LambdaThrottledError` like a synchronous Invoke; `wait` queues the invocation until
   * an execution is free, which is what the retrying callers (event source mappings) amount to.
   */
  readonly whenThrottled?: 'reject' | 'wait';
}

/** What Lambda returns for a function error. */
export interface LambdaFunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stack?: string;
}

export type LambdaInvocationOutcome =
  | { readonly status: 'succeeded'; readonly payload: unknown }
  | { readonly status: 'failed'; readonly error: LambdaFunctionError };

/**
 * When the handler ran, in epoch milliseconds with sub-millisecond precision (`performance.timeOrigin +
 * performance.now()` in the worker): Lambda's "Duration" is `handlerEndedAt − handlerStartedAt`. Absent
 * when the handler never ran (timeout, crashed worker, a bundle that failed to load).
 */
export interface HandlerTiming {
  readonly handlerStartedAt: number;
  readonly handlerEndedAt: number;
}

export type LambdaInvocationResult = LambdaInvocationOutcome & { readonly requestId: string; readonly timing?: HandlerTiming };

/** Invokes a function with an event; what event source mappings and bus targets call. */
export type InvokeFunction = (event: unknown) => Promise<LambdaInvocationResult>;

export class LambdaThrottledError extends Error {
  readonly errorType = 'TooManyRequestsException';
  readonly reason = 'ReservedFunctionConcurrentInvocationLimitExceeded';
  constructor(functionName: string) {
    super(`Rate Exceeded. Function ${functionName} is at its reserved concurrency.`);
    this.name = 'TooManyRequestsException';
  }
}

type WorkerReply =
  | { type: 'result'; requestId: string; payload: string; timing?: HandlerTiming }
  | { type: 'error'; requestId: string; error: LambdaFunctionError; timing?: HandlerTiming };

const BOOTSTRAP_URL = new URL('./lambda-worker-bootstrap.mjs', import.meta.url);

export class LambdaFunctionPool {
  readonly functionArn: string;
  private readonly idleWorkers: Worker[] = [];
  private readonly allWorkers = new Set<Worker>();
  private readonly waitingForExecution: Array<(worker: Worker) => void> = [];
  private runningExecutions = 0;
  private readonly identity: LocalAwsIdentity;

  constructor(
    private readonly definition: LambdaFunctionDefinition,
    options: { identity?: LocalAwsIdentity } = {},
  ) {
    this.identity = options.identity ?? DEFAULT_LOCAL_IDENTITY;
    this.functionArn = arnFor(this.identity, 'lambda', `function:${definition.functionName}`);
  }

  /** Executions currently warm (idle or running): what Lambda would call the function's containers. */
  get warmExecutionCount(): number {
    return this.allWorkers.size;
  }

  readonly invoke: InvokeFunction = async (event) => {
    const worker = await this.acquireExecution();
    const requestId = randomUUID();
    const timeoutSeconds = this.definition.timeoutSeconds ?? 3;
    try {
      return { ...(await this.runOnWorker(worker, requestId, event, timeoutSeconds)), requestId };
    } finally {
      this.releaseExecution(worker);
    }
  };

  /** Terminates every execution environment. */
  async close(): Promise<void> {
    const workers = [...this.allWorkers];
    this.allWorkers.clear();
    this.idleWorkers.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private async acquireExecution(): Promise<Worker> {
    const limit = this.definition.reservedConcurrency ?? Number.POSITIVE_INFINITY;
    if (this.runningExecutions >= limit) {
      if (this.definition.whenThrottled !== 'wait') throw new LambdaThrottledError(this.definition.functionName);
      return new Promise((resolve) => this.waitingForExecution.push(resolve));
    }
    this.runningExecutions += 1;
    const warm = this.idleWorkers.pop();
    if (warm) {
      warm.ref();
      return warm;
    }
    return this.startWorker();
  }

  /** Hands the execution to a queued invocation, or parks the worker warm (unref'd: it must not keep the process alive). */
  private releaseExecution(worker: Worker): void {
    const alive = this.allWorkers.has(worker);
    const next = this.waitingForExecution.shift();
    if (next) {
      next(alive ? worker : this.startWorker());
      return;
    }
    this.runningExecutions -= 1;
    if (alive) {
      worker.unref();
      this.idleWorkers.push(worker);
    }
  }

  private startWorker(): Worker {
    const { functionName, codeDirectory, handler, memorySizeMb = 128 } = this.definition;
    const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`;
    const worker = new Worker(BOOTSTRAP_URL, {
      workerData: {
        codeDirectory,
        handler,
        functionName,
        invokedFunctionArn: this.functionArn,
        memoryLimitInMB: String(memorySizeMb),
        logGroupName: `/aws/lambda/${functionName}`,
        logStreamName,
      },
      // The function sees only its configured variables and Lambda's reserved ones, never the host's.
      env: {
        ...this.definition.environment,
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySizeMb),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
        AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
        AWS_REGION: this.identity.region,
        AWS_DEFAULT_REGION: this.identity.region,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
        LAMBDA_TASK_ROOT: codeDirectory,
        _HANDLER: handler,
        // The SDK in the bundle signs its requests; the local emulators accept any credentials.
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SESSION_TOKEN: 'local',
        // The runtime is nodejs22.x, where the SDK has nothing to warn about; on the host's Node 20 every worker would
        // print its "2027 releases need Node 22" notice.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    this.allWorkers.add(worker);
    worker.once('exit', () => this.forgetWorker(worker));
    return worker;
  }

  private forgetWorker(worker: Worker): void {
    this.allWorkers.delete(worker);
    const idleIndex = this.idleWorkers.indexOf(worker);
    if (idleIndex !== -1) this.idleWorkers.splice(idleIndex, 1);
  }

  private runOnWorker(
    worker: Worker,
    requestId: string,
    event: unknown,
    timeoutSeconds: number,
  ): Promise<LambdaInvocationOutcome & { timing?: HandlerTiming }> {
    return new Promise((resolve) => {
      const onMessage = (reply: WorkerReply) => {
        if (reply.requestId !== requestId) return;
        settle();
        const timing = reply.timing ? { timing: reply.timing } : {};
        resolve(reply.type === 'result' ? { status: 'succeeded', payload: JSON.parse(reply.payload), ...timing } : { status: 'failed', error: reply.error, ...timing });
      };
      // A worker that dies mid-invocation (process.exit, uncaught error in a stray callback) fails it.
      const onExit = (exitCode: number) => {
        settle();
        this.forgetWorker(worker);
        resolve({ status: 'failed', error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${exitCode}` } });
      };
      const onError = (error: Error) => {
        settle();
        this.forgetWorker(worker);
        resolve({ status: 'failed', error: { errorType: error.name, errorMessage: error.message, ...(error.stack ? { stack: error.stack } : {}) } });
        void worker.terminate();
      };
      // Lambda freezes and discards a timed-out container; terminating the worker is the equivalent.
      const timer = setTimeout(() => {
        settle();
        this.forgetWorker(worker);
        void worker.terminate();
        resolve({
          status: 'failed',
          error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${timeoutSeconds.toFixed(2)} seconds` },
        });
      }, timeoutSeconds * 1000);
      const settle = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.on('error', onError);
      worker.postMessage({ type: 'invoke', requestId, event, deadline: Date.now() + timeoutSeconds * 1000 });
    });
  }
}
