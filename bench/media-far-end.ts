// The far end of the media benchmark, in a process of its own so that the figures measure only the process under
// test: one UDP socket per call that sends every RTP packet straight back to where it came from (an echo, like
// sipp's -rtp_echo). Each socket is connected to its call's port once known, so the kernel filters other senders
// and a send needs no address lookup. Driven over the IPC channel by bench/media.ts:
//   { type: 'open', calls }            -> { type: 'opened', ports }   binds `calls` sockets on 127.0.0.1
//   { type: 'connect', peerPorts }     -> { type: 'connected' }       socket i echoes to peerPorts[i]
//   { type: 'close' }                  -> exits
import dgram from 'node:dgram';

const HOST = '127.0.0.1';
type Command = { type: 'open'; calls: number } | { type: 'connect'; peerPorts: number[] } | { type: 'close' };

let sockets: dgram.Socket[] = [];

async function open(calls: number): Promise<number[]> {
  sockets = await Promise.all(
    Array.from({ length: calls }, () => {
      const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1024 * 1024 });
      socket.on('error', () => {}); // a send refused while our side closes is not the far end's business
      return new Promise<dgram.Socket>((resolve) => socket.bind(0, HOST, () => resolve(socket)));
    }),
  );
  return sockets.map((socket) => socket.address().port);
}

async function connect(peerPorts: number[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket, i) =>
        new Promise<void>((resolve) => {
          socket.connect(peerPorts[i]!, HOST, () => {
            socket.on('message', (packet) => socket.send(packet));
            resolve();
          });
        }),
    ),
  );
}

process.on('message', (command: Command) => {
  if (command.type === 'open') void open(command.calls).then((ports) => process.send!({ type: 'opened', ports }));
  else if (command.type === 'connect') void connect(command.peerPorts).then(() => process.send!({ type: 'connected' }));
  else {
    for (const socket of sockets) socket.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
