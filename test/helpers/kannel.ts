// Runs a real Kannel (Debian's kannel and kannel-extras) for the Kannel provider's tests: bearerbox and smsbox from
// config files written into a temp folder (ports from free-port.ts, every listener on 127.0.0.1, DLRs kept in
// memory, logs in the folder), and an SMSC behind bearerbox:
// - `fake`: Kannel's own fakesmsc test tool, which prints every message bearerbox hands it (the basic send path);
// - `smpp`: bearerbox binds as a transceiver to an SMPP SMSC (the loopback one of test/helpers/smsc.ts), whose real
//   deliver_sm receipts go bearerbox -> smsbox -> dlr-url -> Ringcast.
// Ready when bearerbox's status page shows smsbox connected and the SMSC connection online. stop() ends the three
// (each also ends by itself after PEER_LIFETIME_S).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { portTaken, spawnPeer, waitUntilReady, withStartRetries, type PeerProcess } from './peer-process.js';

export const BEARERBOX = '/usr/sbin/bearerbox';
export const SMSBOX = '/usr/sbin/smsbox';
export const FAKESMSC = '/usr/lib/kannel/test/fakesmsc';
export const KANNEL_BINARIES = [BEARERBOX, SMSBOX, FAKESMSC] as const;

export type KannelSmsc = { kind: 'fake' } | { kind: 'smpp'; port: number; systemId: string; password: string };

/** A message as fakesmsc printed it: `<from> <to> text <text>`, `ucs-2 <urlcoded>` or `udh <urlcoded> data <urlcoded>`. */
export interface FakeSmscMessage {
  from: string;
  to: string;
  udh: Buffer | undefined;
  /** The message's bytes (the text's characters for a `text` line, as Kannel holds them). */
  data: Buffer;
  kind: 'text' | 'ucs-2' | 'data';
}

export interface TestKannel {
  readonly sendsmsUrl: string;
  readonly user: string;
  readonly password: string;
  /** Messages fakesmsc received so far (smsc kind `fake`). */
  fakeMessages(): FakeSmscMessage[];
  /** bearerbox's and smsbox's logs, for failure reports. */
  logs(): string;
  stop(): Promise<void>;
}

/** Each Kannel process is run under coreutils' timeout, so one a crashed test run leaves behind ends by itself. */
const PEER_LIFETIME_S = 900;
const spawnKannel = (binary: string, args: string[], dir: string) => spawnPeer('timeout', [String(PEER_LIFETIME_S), binary, ...args], dir);

const USER = 'ringcast';
const PASSWORD = 'kannel-pw';
const ADMIN_PASSWORD = 'kannel-admin';

export async function startKannel(smsc: KannelSmsc): Promise<TestKannel> {
  return withStartRetries(() => startKannelOnce(smsc));
}

/** A %-encoded field of a fakesmsc line as bytes ('+' is a space, as Kannel's url-encoding writes it). */
function urlDecodedBytes(field: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!;
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(field.slice(i + 1, i + 3))) {
      bytes.push(parseInt(field.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes);
}

export function parseFakeSmscLine(line: string): FakeSmscMessage | undefined {
  const match = /^(\S+) (\S+) (text|ucs-2|data|udh) (.*)$/s.exec(line);
  if (!match) return undefined;
  const [, from, to, kind, rest] = match as unknown as [string, string, string, string, string];
  if (kind === 'text') return { from, to, udh: undefined, data: Buffer.from(rest, 'utf8'), kind };
  if (kind === 'udh') {
    const [udh, dataWord, data] = rest.split(' ');
    if (dataWord !== 'data' || udh === undefined || data === undefined) return undefined;
    return { from, to, udh: urlDecodedBytes(udh), data: urlDecodedBytes(data), kind: 'data' };
  }
  return { from, to, udh: undefined, data: urlDecodedBytes(rest), kind: kind as 'ucs-2' | 'data' };
}

function smscGroup(smsc: KannelSmsc, fakePort: number): string {
  if (smsc.kind === 'fake') {
    return ['group = smsc', 'smsc = fake', 'smsc-id = fake', `port = ${fakePort}`, 'connect-allow-ip = 127.0.0.1', 'our-host = 127.0.0.1'].join('\n');
  }
  return [
    'group = smsc',
    'smsc = smpp',
    'smsc-id = smpp',
    'host = 127.0.0.1',
    `port = ${smsc.port}`,
    // One transceiver bind: submits and receipts on one connection.
    'transceiver-mode = true',
    `smsc-username = ${smsc.systemId}`,
    `smsc-password = ${smsc.password}`,
    'system-type = ""',
    'enquire-link-interval = 30',
    'reconnect-delay = 1',
  ].join('\n');
}

async function startKannelOnce(smsc: KannelSmsc): Promise<TestKannel> {
  const [adminPort, smsboxPort, sendsmsPort, fakePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringcast-kannel-'));
  const config = [
    'group = core',
    `admin-port = ${adminPort}`,
    'admin-interface = 127.0.0.1',
    `admin-password = ${ADMIN_PASSWORD}`,
    'admin-allow-ip = 127.0.0.1',
    `smsbox-port = ${smsboxPort}`,
    'smsbox-interface = 127.0.0.1',
    'box-allow-ip = 127.0.0.1',
    `log-file = "${path.join(dir, 'bearerbox.log')}"`,
    'log-level = 0',
    `access-log = "${path.join(dir, 'access.log')}"`,
    // Delivery reports waiting for their SMSC receipt are kept in memory (no database for the test).
    'dlr-storage = internal',
    '',
    smscGroup(smsc, fakePort),
    '',
    'group = smsbox',
    'bearerbox-host = 127.0.0.1',
    `bearerbox-port = ${smsboxPort}`,
    `sendsms-port = ${sendsmsPort}`,
    'sendsms-interface = 127.0.0.1',
    `log-file = "${path.join(dir, 'smsbox.log')}"`,
    'log-level = 0',
    // A report can reach Ringcast before Ringcast has written Kannel's answer (a 404): smsbox tries it again.
    'http-request-retry = 5',
    'http-queue-delay = 1',
    '',
    'group = sendsms-user',
    `username = ${USER}`,
    `password = ${PASSWORD}`,
    // Long texts: split into up to 10 concatenated parts.
    'max-messages = 10',
    'concatenation = true',
    '',
  ].join('\n');
  const configFile = path.join(dir, 'kannel.conf');
  writeFileSync(configFile, config);

  const statusUrl = `http://127.0.0.1:${adminPort}/status.txt?password=${ADMIN_PASSWORD}`;
  const status = async () => {
    try {
      return await (await fetch(statusUrl, { signal: AbortSignal.timeout(1000) })).text();
    } catch {
      return '';
    }
  };
  const peers: PeerProcess[] = [];
  const stop = async () => {
    for (const peer of [...peers].reverse()) await peer.stop();
  };
  const readLog = (name: string) => {
    try {
      return readFileSync(path.join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
  try {
    const bearerbox = spawnKannel(BEARERBOX, [configFile], dir);
    peers.push(bearerbox);
    await waitUntilReady(bearerbox, 'bearerbox', async () => (await status()).includes('Status: running'), 15_000);
    const smsbox = spawnKannel(SMSBOX, [configFile], dir);
    peers.push(smsbox);
    await waitUntilReady(smsbox, 'smsbox', () => portTaken(sendsmsPort, 'tcp'), 15_000);
    let fakesmsc: PeerProcess | undefined;
    if (smsc.kind === 'fake') {
      // -m 0: send no mobile-originated messages, only print what bearerbox sends (the message given is never sent).
      fakesmsc = spawnKannel(FAKESMSC, ['-H', '127.0.0.1', '-r', String(fakePort), '-m', '0', '1 2 text unused'], dir);
      peers.push(fakesmsc);
    }
    const ready = async () => {
      const text = await status();
      return /smsbox:\S*, IP 127\.0\.0\.1/.test(text) && /SMSC connections:[\s\S]*\(online/.test(text);
    };
    await waitUntilReady(fakesmsc ?? bearerbox, 'kannel', ready, 15_000);
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const fake = peers[2];
  return {
    sendsmsUrl: `http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms`,
    user: USER,
    password: PASSWORD,
    fakeMessages: () =>
      (fake?.output() ?? '')
        .split('\n')
        .map((line) => /Got message \d+: <(.*)>$/.exec(line)?.[1])
        .filter((line): line is string => line !== undefined)
        .map(parseFakeSmscLine)
        .filter((message): message is FakeSmscMessage => message !== undefined),
    logs: () => `--- bearerbox.log\n${readLog('bearerbox.log').slice(-20_000)}\n--- smsbox.log\n${readLog('smsbox.log').slice(-20_000)}`,
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The secret the tests key their dlr-url tokens with. */
export const TEST_DLR_SECRET = 'kannel-dlr-secret-0123456789';

/** SMS_PROVIDER=kannel settings for this Kannel, its reports sent to `dlrBaseUrl`. */
export function kannelEnv(kannel: TestKannel, dlrBaseUrl: string): Record<string, string> {
  return {
    SMS_PROVIDER: 'kannel',
    KANNEL_SENDSMS_URL: kannel.sendsmsUrl,
    KANNEL_USER: kannel.user,
    KANNEL_PASSWORD: kannel.password,
    KANNEL_DLR_BASE_URL: dlrBaseUrl,
    KANNEL_DLR_SECRET: TEST_DLR_SECRET,
  };
}

/** Makes the app listen on a free loopback port, where smsbox can fetch the dlr-urls; answers its base URL. */
export async function listenForReports(app: { listen(options: { host: string; port: number }): Promise<string>; server: { address(): unknown } }): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port?: number } | null;
  if (address === null || typeof address.port !== 'number') throw new Error('the app has no loopback port');
  return `http://127.0.0.1:${address.port}`;
}
