/**
 * aws-local-stepfunctions 3.x calls `Promise.withResolvers` (Node 22+). Node 20 lacks it: this module,
 * imported before the library, adds the standard behaviour when it is missing.
 */
interface PromiseConstructorWithResolvers {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void };
}

const promiseConstructor = Promise as unknown as PromiseConstructorWithResolvers;
promiseConstructor.withResolvers ??= <T>() => {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
};

export {};
