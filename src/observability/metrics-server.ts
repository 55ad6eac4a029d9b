// The separate metrics listener (METRICS_PORT): a bare HTTP server that answers GET /metrics with the registry's
// text and 404 to anything else. No auth: it is meant for a port that only the scraper can reach (a pod port that is
// not in the Service, a host firewall), which keeps the operator token out of the Prometheus configuration.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RingcastMetrics } from './metrics.js';

export interface MetricsServer {
  /** The port bound (METRICS_PORT, or the one the system chose for 0). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(metrics: RingcastMetrics, host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: GET /metrics\n');
      return;
    }
    metrics.exposition().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: Error) => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics could not be collected: ${error.message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
