// Runs baresip (Debian baresip-core) as an auto-answering far end: it plays a WAV we give it as the callee's voice,
// hangs up when that WAV ends, and records what it heard (sndfile module) so a test can prove our audio arrived.
import { mkdtempSync, mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { parseWav } from '../../src/media/audio/wav.js';
import { spawnPeer, waitUntilReady, withStartRetries, type PeerProcess } from './peer-process.js';

export interface BaresipPeer extends PeerProcess {
  port: number;
  /** sip:USER@127.0.0.1:PORT */
  uri: string;
  /** WAV files sndfile wrote: `dec` is what baresip heard from us, `enc` what it sent. */
  recordings(): { heard: string[]; sent: string[] };
}

export interface BaresipOptions {
  /** baresip quits after this many seconds (default 120). */
  lifetimeS?: number;
  /**
   * The account's user (default 'bob'). baresip 1.0.0 routes an INVITE to an account whose contact user or AOR user
   * equals the request-URI user, else answers 404 "UA not found" (its catch-all is settable only through the C API,
   * not the accounts file): so a carrier that calls sip:+442079460001@host needs user '+442079460001'.
   */
  user?: string;
}

/** `voiceWav`: 8 kHz mono 16-bit WAV bytes, the callee's side of the call (its length is the call's length). */
export async function startBaresip(voiceWav: Buffer | Uint8Array, options: BaresipOptions = {}): Promise<BaresipPeer> {
  return withStartRetries(() => startBaresipOnce(voiceWav, options));
}

async function startBaresipOnce(voiceWav: Buffer | Uint8Array, options: BaresipOptions): Promise<BaresipPeer> {
  const user = options.user ?? 'bob';
  if (!/^\+?[A-Za-z0-9._-]+$/.test(user)) throw new RangeError(`baresip account user "${user}" is not a plain SIP user`);
  const port = await freePort();
  const rtpBase = await freePort({ even: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringcast-baresip-'));
  const recordDir = path.join(dir, 'rec');
  mkdirSync(recordDir);
  const voicePath = path.join(dir, 'voice.wav');
  writeFileSync(voicePath, voiceWav);
  writeFileSync(
    path.join(dir, 'config'),
    [
      'module_path /usr/lib/baresip/modules',
      `sip_listen 127.0.0.1:${port}`,
      `audio_source aufile,${voicePath}`,
      `audio_player aufile,${path.join(dir, 'played.wav')}`,
      'audio_alert aufile,/dev/null',
      `rtp_ports ${rtpBase}-${rtpBase + 10}`,
      `snd_path ${recordDir}`,
      // No stdio/cons module: it needs a terminal, and tests have none.
      'module g711.so',
      'module aufile.so',
      'module sndfile.so',
      'module account.so',
      'module menu.so',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'accounts'), `<sip:${user}@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU\n`);
  const peer = spawnPeer('baresip', ['-f', dir, '-n', '127.0.0.1', '-t', String(options.lifetimeS ?? 120)], dir);
  await waitUntilReady(peer, 'baresip', () => peer.output().includes('baresip is ready'));
  return {
    ...peer,
    port,
    uri: `sip:${user}@127.0.0.1:${port}`,
    recordings: () => {
      const files = readdirSync(recordDir).map((f) => path.join(recordDir, f));
      return { heard: files.filter((f) => f.endsWith('-dec.wav')), sent: files.filter((f) => f.endsWith('-enc.wav')) };
    },
  };
}

/** The samples of a 16-bit mono WAV written by baresip's sndfile (possibly still being written: streamed). */
export function readWavSamples(file: string): Int16Array {
  const bytes = readFileSync(file);
  if (bytes.indexOf('data', 12, 'latin1') < 0 || bytes.length <= 44) return new Int16Array(0);
  const mono = parseWav(new Uint8Array(bytes), { streamed: true }).channels[0] ?? new Float32Array(0);
  return Int16Array.from(mono, (x) => Math.round(x * 32768));
}
