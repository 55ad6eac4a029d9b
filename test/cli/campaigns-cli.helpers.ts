// Running `ringcast campaigns` in-process against a real server listening on a loopback port: the command gets its
// own stdout and stderr writers, each told whether it "is a terminal", and its environment.
import { Writable } from 'node:stream';
import type { App } from '../../src/app.js';
import { runCampaignsCommand } from '../../src/cli/campaigns.js';

/** A writer that keeps what it was given, and says it is (or is not) a terminal. */
export class Capture extends Writable {
  text = '';
  readonly columns = 200;
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  env?: Record<string, string | undefined>;
  /** The command's clock (milliseconds), for upload rates; performance.now when not given. */
  nowMs?: () => number;
  /** Told of each stdout write (watch tests act on the lines as they come). */
  onStdout?: (text: string) => void;
}

/** Listens on 127.0.0.1 at a free port and answers the server's base URL. */
export async function listen(app: App): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

/** A runner of the command against `url` with `key` in the environment (as RINGCAST_URL and RINGCAST_API_KEY). */
export function cliAgainst(url: string, key: string) {
  return async (args: string[], options: CliOptions = {}): Promise<CliRun> => {
    const stdout = new Capture(options.stdoutTTY ?? false);
    const stderr = new Capture(options.stderrTTY ?? false);
    if (options.onStdout) {
      const write = stdout.write.bind(stdout);
      stdout.write = ((chunk: string, ...rest: never[]) => {
        options.onStdout!(String(chunk));
        return write(chunk, ...rest);
      }) as typeof stdout.write;
    }
    const env = { RINGCAST_URL: url, RINGCAST_API_KEY: key, ...options.env };
    const code = await runCampaignsCommand(args, { env, stdout, stderr, ...(options.nowMs ? { nowMs: options.nowMs } : {}) });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };
}
