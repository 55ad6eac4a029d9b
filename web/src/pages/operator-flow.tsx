// The operator's view of one client's call flow: the client's own editor (FlowEditor) pointed at the operator API, and
// the flow's versions, refreshed after each save (every save is a new version; campaigns keep the one they started with).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import type { CallFlowVersion } from '../types.js';
import { href } from '../router.js';
import { formatTimestamp } from '../format.js';
import { ProblemView } from '../components/problem-view.js';
import { FlowEditor } from './call-flows.js';

export function OperatorFlowView({ clientId, id }: { clientId: number; id: number }) {
  const path = `/api/admin/clients/${clientId}/callflows/${id}`;
  const [versions, setVersions] = useState<CallFlowVersion[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const loadVersions = () => {
    api<CallFlowVersion[]>(`${path}/versions`).then(setVersions, setError);
  };
  useEffect(loadVersions, [path]);
  return (
    <section>
      <FlowEditor path={path} backHref={href(`/clients/${clientId}`)} backLabel="Back to the client" onSaved={loadVersions} />
      <h2>Versions</h2>
      <ProblemView error={error} />
      <div class="table-wrap">
        <table aria-label="Versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Saved</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((entry) => (
              <tr key={entry.version}>
                <td>{entry.version}</td>
                <td>{formatTimestamp(entry.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
