// Free loopback ports for peers (sipp, baresip, Kamailio) started by tests. A port is returned only when both UDP
// and TCP could bind it, since SIP peers listen on both.
import dgram from 'node:dgram';
import net from 'node:net';

async function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function udpPort(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => resolve(undefined));
    socket.bind(port, '127.0.0.1', () => {
      const bound = socket.address().port;
      socket.close(() => resolve(bound));
    });
  });
}

/** A port free for UDP and TCP on 127.0.0.1; `even` for RTP, whose RTCP takes the next port. */
export async function freePort(options: { even?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await udpPort(0);
    if (port === undefined) continue;
    if (options.even && (port % 2 !== 0 || !(await udpPort(port + 1)))) continue;
    if (await tcpFree(port)) return port;
  }
  throw new Error('no free loopback port found');
}
