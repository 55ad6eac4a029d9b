// The shell: sign-in, the header with the pages of the signed-in role, and the page the URL names.
import type { ComponentChildren } from 'preact';
import { useEffect, useErrorBoundary, useState } from 'preact/hooks';
import { useToken, whenUnauthorized } from './api.js';
import { forgetSession, loadSession, saveSession, type Session } from './session.js';
import { href, useRoute, type Route } from './router.js';
import { SignIn } from './pages/sign-in.js';
import { CampaignList } from './pages/campaign-list.js';
import { CampaignLive } from './pages/campaign-live.js';
import { CallLog } from './pages/call-log.js';
import { NewCampaign } from './pages/new-campaign.js';
import { CallFlows, CallFlowView } from './pages/call-flows.js';
import { OperatorFlowView } from './pages/operator-flow.js';
import { Clients, ClientView } from './pages/operator-clients.js';

export function App() {
  const [session, setSession] = useState<Session | null>(() => {
    const saved = loadSession();
    if (saved) useToken(saved.token);
    return saved;
  });
  const route = useRoute();

  const signOut = () => {
    forgetSession();
    useToken('');
    setSession(null);
  };
  useEffect(() => whenUnauthorized(signOut), []);

  if (!session) {
    return (
      <SignIn
        onSignedIn={(next) => {
          saveSession(next);
          useToken(next.token);
          setSession(next);
          window.location.hash = next.role === 'operator' ? '/clients' : '/campaigns';
        }}
      />
    );
  }
  const links: [string, string][] =
    session.role === 'client'
      ? [['/campaigns', 'Campaigns'], ['/new', 'New campaign'], ['/flows', 'Call flows']]
      : [['/clients', 'Clients']];
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href={href(links[0]![0])}>Ringcast</a>
        <nav aria-label="Pages">
          {links.map(([path, label]) => (
            <a key={path} href={href(path)} aria-current={isCurrent(route, path) ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">{session.label}</span>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <PageBoundary key={window.location.hash}>{page(route, session)}</PageBoundary>
      </main>
    </div>
  );
}

function isCurrent(route: Route, path: string): boolean {
  const section = { campaigns: '/campaigns', campaign: '/campaigns', calls: '/campaigns', new: '/new', flows: '/flows', flow: '/flows', clients: '/clients', client: '/clients', 'client-flow': '/clients', 'not-found': '' }[route.page];
  return section === path;
}

function page(route: Route, session: Session) {
  if (session.role === 'operator') {
    switch (route.page) {
      case 'client':
        return <ClientView id={route.id} />;
      case 'client-flow':
        return <OperatorFlowView clientId={route.clientId} id={route.id} />;
      case 'clients':
      case 'campaigns':
        return <Clients />;
      default:
        return <NotFound />;
    }
  }
  switch (route.page) {
    case 'campaigns':
      return <CampaignList />;
    case 'campaign':
      return <CampaignLive id={route.id} />;
    case 'calls':
      return <CallLog id={route.id} />;
    case 'new':
      return <NewCampaign />;
    case 'flows':
      return <CallFlows />;
    case 'flow':
      return <CallFlowView id={route.id} />;
    default:
      return <NotFound />;
  }
}

/** A page that fails to render says so (and the rest of the app keeps working) instead of leaving a stale screen. */
function PageBoundary({ children }: { children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary();
  if (!error) return <>{children}</>;
  return (
    <section class="problem" role="alert">
      <h1>This page failed</h1>
      <p>{(error as Error).message ?? String(error)}</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <a href={href('/')}>Back to the start</a>
      </p>
    </section>
  );
}
