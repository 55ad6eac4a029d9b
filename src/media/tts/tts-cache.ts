// Rendered prompts on disk, so each text is spoken by the engine once: `<dir>/<aa>/<sha256>.pcm`, raw 16-bit
// little-endian 8 kHz mono samples (no header: the key already fixes the format). The two-hex-digit folder keeps
// directories small with many prompts.
//
// Writes go to a temporary file in the same folder and are renamed into place, so a reader (another process
// included) sees either nothing or the whole file, never half of one. Concurrent requests for the same key share one
// render. A file that cannot be read or has an odd length is treated as absent and rendered again; a failed write
// only loses the caching (the audio is still returned) and is passed to `onError`.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const BYTES_PER_SAMPLE = 2;
const KEY_PATTERN = /^[0-9a-f]{64}$/;

export interface TtsCacheOptions {
  /** Told about cache files that could not be read (other than absent) or written. */
  onError?: (error: unknown) => void;
  /** Told of each lookup that reached the disk: found (true) or rendered (false); for the cache-hit metric. */
  onLookup?: (hit: boolean) => void;
}

export class TtsCache {
  private readonly inFlight = new Map<string, Promise<Int16Array>>();
  private readonly onError: (error: unknown) => void;
  private readonly onLookup: ((hit: boolean) => void) | undefined;

  constructor(
    readonly dir: string,
    options: TtsCacheOptions = {},
  ) {
    this.onError = options.onError ?? (() => {});
    this.onLookup = options.onLookup;
  }

  /** The key of everything that determines the audio (engine and its version tag, voice, speed, text). */
  static keyOf(parts: readonly (string | number)[]): string {
    // JSON keeps the parts apart: ['a b', 'c'] and ['a', 'b c'] do not collide.
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  }

  pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new RangeError('a TTS cache key is a lowercase hex sha256');
    return join(this.dir, key.slice(0, 2), `${key}.pcm`);
  }

  /** The cached samples, or undefined when absent or unreadable. */
  async read(key: string): Promise<Int16Array | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(error);
      return undefined;
    }
    if (bytes.length % BYTES_PER_SAMPLE !== 0) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const pcm = new Int16Array(bytes.length / BYTES_PER_SAMPLE);
    for (let i = 0; i < pcm.length; i++) pcm[i] = view.getInt16(i * BYTES_PER_SAMPLE, true);
    return pcm;
  }

  /** Stores the samples atomically (temporary file + rename). */
  async write(key: string, pcm: Int16Array): Promise<void> {
    const path = this.pathOf(key);
    const bytes = new Uint8Array(pcm.length * BYTES_PER_SAMPLE);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < pcm.length; i++) view.setInt16(i * BYTES_PER_SAMPLE, pcm[i]!, true);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw error;
    }
  }

  /**
   * The cached samples for `key`, or `render()`'s, stored for next time. Callers asking for a key already being
   * rendered wait for that render instead of starting another. A failed render is not cached.
   */
  async getOrRender(key: string, render: () => Promise<Int16Array>): Promise<Int16Array> {
    let shared = this.inFlight.get(key);
    if (shared === undefined) {
      shared = this.readOrRender(key, render).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, shared);
    }
    // Each caller gets its own copy: one playing a prompt must not see another's changes to it.
    return (await shared).slice();
  }

  private async readOrRender(key: string, render: () => Promise<Int16Array>): Promise<Int16Array> {
    const cached = await this.read(key);
    this.onLookup?.(cached !== undefined);
    if (cached !== undefined) return cached;
    const pcm = await render();
    try {
      await this.write(key, pcm);
    } catch (error) {
      this.onError(error);
    }
    return pcm;
  }
}
