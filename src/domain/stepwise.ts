// Long pure computations written as generators that yield between chunks of work, and the two ways to run them:
// at once (tests, the demo, small inputs), or handing the event loop back between chunks so that a 100,000-number
// upload never holds a server that other clients are waiting on. The rules stay pure; only the driver waits, and
// how it waits is passed in (the API passes setImmediate).

/** A computation that yields (nothing) after each chunk and returns its result. */
export type Steps<T> = Generator<void, T, void>;

/** Runs every step at once. */
export function runSteps<T>(steps: Steps<T>): T {
  let next = steps.next();
  while (!next.done) next = steps.next();
  return next.value;
}

/** Runs the steps, awaiting `pause` between chunks. */
export async function runStepsPausing<T>(steps: Steps<T>, pause: () => Promise<void>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    await pause();
    next = steps.next();
  }
  return next.value;
}

/** Entries of a request's long array rewritten between two pauses (about 2-5 ms' work for phone-number entries). */
export const ARRAY_ENTRIES_PER_STEP = 2000;

/** The pause a server uses: lets pending I/O callbacks (other requests, query results) run, then resumes. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
