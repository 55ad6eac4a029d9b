// Uploaded audio files of clients (call flows' play steps). Every read that serves a client is scoped by clientId;
// the dialer reads by id for the flows it runs, whose audio ids were checked against the flow's client when saved.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../database.js';
import { audioFiles } from '../schema.js';

/** An audio file without its data. */
export interface AudioFileInfo {
  id: number;
  clientId: number;
  name: string;
  durationMs: number;
  sampleRate: number;
  createdAt: Date;
}

export interface NewAudioFile {
  clientId: number;
  name: string;
  durationMs: number;
  /** 8 kHz mono 16-bit PCM WAV. */
  data: Uint8Array;
}

export interface AudioFileData {
  id: number;
  durationMs: number;
  /** 8 kHz mono 16-bit PCM WAV. */
  data: Uint8Array;
}

const infoColumns = {
  id: audioFiles.id,
  clientId: audioFiles.clientId,
  name: audioFiles.name,
  durationMs: audioFiles.durationMs,
  sampleRate: audioFiles.sampleRate,
  createdAt: audioFiles.createdAt,
};

/** The driver's bytes as a plain Uint8Array (node-postgres hands out Buffers). */
function bytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

export class AudioRepository {
  constructor(private readonly db: Db) {}

  async create(input: NewAudioFile): Promise<AudioFileInfo> {
    const [row] = await this.db.insert(audioFiles).values(input).returning(infoColumns);
    return row!;
  }

  list(clientId: number): Promise<AudioFileInfo[]> {
    return this.db.select(infoColumns).from(audioFiles).where(eq(audioFiles.clientId, clientId)).orderBy(asc(audioFiles.id));
  }

  async get(clientId: number, id: number): Promise<AudioFileInfo | undefined> {
    const [row] = await this.db
      .select(infoColumns)
      .from(audioFiles)
      .where(and(eq(audioFiles.clientId, clientId), eq(audioFiles.id, id)));
    return row;
  }

  /** The stored WAV file. */
  async getWav(clientId: number, id: number): Promise<Uint8Array | undefined> {
    const [row] = await this.db
      .select({ data: audioFiles.data })
      .from(audioFiles)
      .where(and(eq(audioFiles.clientId, clientId), eq(audioFiles.id, id)));
    return row ? bytes(row.data) : undefined;
  }

  async delete(clientId: number, id: number): Promise<boolean> {
    const deleted = await this.db
      .delete(audioFiles)
      .where(and(eq(audioFiles.clientId, clientId), eq(audioFiles.id, id)))
      .returning({ id: audioFiles.id });
    return deleted.length > 0;
  }

  /** Which of `ids` belong to the client. */
  async idsOwnedBy(clientId: number, ids: readonly number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .select({ id: audioFiles.id })
      .from(audioFiles)
      .where(and(eq(audioFiles.clientId, clientId), inArray(audioFiles.id, [...ids])));
    return new Set(rows.map((row) => row.id));
  }

  /** The data of the client's audio files among `ids`, for playing; ids not found (deleted since) are left out. */
  async loadForPlayback(clientId: number, ids: readonly number[]): Promise<AudioFileData[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .select({ id: audioFiles.id, durationMs: audioFiles.durationMs, data: audioFiles.data })
      .from(audioFiles)
      .where(and(eq(audioFiles.clientId, clientId), inArray(audioFiles.id, [...ids])));
    return rows.map((row) => ({ ...row, data: bytes(row.data) }));
  }
}
