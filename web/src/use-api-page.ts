// A page of data the server sorts, filters or searches: fetched a short while after its address last changed (so
// typing in a filter sends one request per pause, not per keystroke), the earlier request aborted.
import { useEffect, useState } from 'preact/hooks';
import { api, type ApiError } from './api.js';

/** How long the address must stay the same before it is fetched. */
const SETTLE_MS = 150;

export function useApiPage<T>(path: string): { data: T | null; error: ApiError | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api<T>(path, { signal: abort.signal }).then(
        (answer) => {
          setData(answer);
          setError(null);
        },
        (caught: Error) => caught.name !== 'AbortError' && setError(caught as ApiError),
      );
    }, SETTLE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [path]);
  return { data, error };
}
