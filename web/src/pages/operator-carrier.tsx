// The carrier as the operator sees it: trunks and their registration, calls in flight, recent SIP failures by code.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { formatInteger } from '../format.js';
import { ProblemView } from '../components/problem-view.js';

interface CarrierStatus {
  carrier: string;
  trunks: { name: string; address: string; registration: string; detail?: string }[];
  callsInFlight: { carrier: string; calls: number }[];
  recentFailures: { sipCode: number; calls: number }[];
  note?: string;
}

/** Refreshed this often while the page is open. */
const REFRESH_MS = 5_000;

export function CarrierPanel() {
  const [status, setStatus] = useState<CarrierStatus | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const load = () =>
      api<CarrierStatus>('/api/admin/carrier').then(
        (answer) => {
          setStatus(answer);
          setError(null);
        },
        setError,
      );
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  return (
    <div class="card wide">
      <h2>Carrier</h2>
      <ProblemView error={error} />
      {status && (
        <>
          <p>
            {status.carrier === 'sip' ? 'SIP trunks' : 'Simulated carrier'}
            {status.note && ` · ${status.note}`}
          </p>
          {status.trunks.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>Trunk</th>
                  <th>Address</th>
                  <th>Registration</th>
                </tr>
              </thead>
              <tbody>
                {status.trunks.map((trunk) => (
                  <tr key={trunk.name}>
                    <td>{trunk.name}</td>
                    <td>{trunk.address}</td>
                    <td class={`registration-${trunk.registration}`}>
                      {trunk.registration}
                      {trunk.detail && ` (${trunk.detail})`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p>
            Calls in flight:{' '}
            {status.callsInFlight.length === 0 ? 'none' : status.callsInFlight.map((entry) => `${entry.carrier || 'unnamed'} ${formatInteger(entry.calls)}`).join(', ')}
          </p>
          <p>
            SIP failures in the last hour:{' '}
            {status.recentFailures.length === 0 ? 'none' : status.recentFailures.map((entry) => `${entry.sipCode} × ${formatInteger(entry.calls)}`).join(', ')}
          </p>
        </>
      )}
    </div>
  );
}
