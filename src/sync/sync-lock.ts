/** Holders of the in-process lock, per lock name (runtimes without Web Locks). */
const tails = new Map<string, Promise<unknown>>();

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

function webLocks(): LockManagerLike | undefined {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return typeof locks?.request === 'function' ? locks : undefined;
}

/**
 * Runs `task` while holding the exclusive lock `name`: Web Locks where the runtime has them (one
 * holder across every tab and worker of the origin), an in-process queue otherwise. Waiters run
 * in request order; a failing task releases the lock like a succeeding one.
 */
export function withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = webLocks();
  if (locks !== undefined) return locks.request(name, task);
  const previous = tails.get(name) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(name, tail);
  void tail.then(() => {
    if (tails.get(name) === tail) tails.delete(name);
  });
  return run;
}
