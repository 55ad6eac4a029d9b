// Pages are addressed by the URL's hash (#/campaigns/12), so the server serves one index.html for the whole app and a
// reload or a bookmark opens the same page.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'campaigns' }
  | { page: 'campaign'; id: number }
  | { page: 'calls'; id: number }
  | { page: 'new' }
  | { page: 'flows' }
  | { page: 'flow'; id: number }
  | { page: 'clients' }
  | { page: 'client'; id: number }
  | { page: 'client-flow'; clientId: number; id: number }
  | { page: 'not-found'; path: string };

const PATTERNS: [RegExp, (match: RegExpMatchArray) => Route][] = [
  [/^\/?$/, () => ({ page: 'campaigns' })],
  [/^\/campaigns$/, () => ({ page: 'campaigns' })],
  [/^\/campaigns\/(\d+)$/, (m) => ({ page: 'campaign', id: Number(m[1]) })],
  [/^\/campaigns\/(\d+)\/calls$/, (m) => ({ page: 'calls', id: Number(m[1]) })],
  [/^\/new$/, () => ({ page: 'new' })],
  [/^\/flows$/, () => ({ page: 'flows' })],
  [/^\/flows\/(\d+)$/, (m) => ({ page: 'flow', id: Number(m[1]) })],
  [/^\/clients$/, () => ({ page: 'clients' })],
  [/^\/clients\/(\d+)$/, (m) => ({ page: 'client', id: Number(m[1]) })],
  [/^\/clients\/(\d+)\/flows\/(\d+)$/, (m) => ({ page: 'client-flow', clientId: Number(m[1]), id: Number(m[2]) })],
];

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  for (const [pattern, make] of PATTERNS) {
    const match = path.match(pattern);
    if (match) return make(match);
  }
  return { page: 'not-found', path };
}

export function href(path: string): string {
  return `#${path}`;
}

export function navigate(path: string): void {
  window.location.hash = path;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
