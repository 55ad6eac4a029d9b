// WAV (and MP3) files made in the test, byte by byte, for the audio parser, the upload API and the dialer's play
// step; and a flow that plays one.

export interface WavSpec {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** The data chunk's bytes. */
  data: Uint8Array;
  /** Writes WAVE_FORMAT_EXTENSIBLE with formatTag as the sub-format. */
  extensible?: boolean;
  /** Overrides the computed block align. */
  blockAlign?: number;
  /** A LIST chunk (odd-sized, so padded) before the data, as many editors write. */
  listChunk?: boolean;
}

function chunk(id: string, body: Uint8Array): Uint8Array {
  const padded = body.length + (body.length % 2);
  const out = new Uint8Array(8 + padded);
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function buildWav(spec: WavSpec): Uint8Array {
  const blockAlign = spec.blockAlign ?? spec.channels * Math.ceil(spec.bitsPerSample / 8);
  const fmt = new Uint8Array(spec.extensible ? 40 : 16);
  const v = new DataView(fmt.buffer);
  v.setUint16(0, spec.extensible ? 0xfffe : spec.formatTag, true);
  v.setUint16(2, spec.channels, true);
  v.setUint32(4, spec.sampleRate, true);
  v.setUint32(8, spec.sampleRate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, spec.bitsPerSample, true);
  if (spec.extensible) {
    v.setUint16(16, 22, true);
    v.setUint16(18, spec.bitsPerSample, true);
    v.setUint32(20, 3, true);
    // KSDATAFORMAT_SUBTYPE_*: the tag, then 0000-0010-8000-00aa00389b71.
    v.setUint16(24, spec.formatTag, true);
    fmt.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  const chunks = [chunk('fmt ', fmt)];
  if (spec.listChunk) chunks.push(chunk('LIST', new TextEncoder().encode('INFOISFT')));
  chunks.push(chunk('data', spec.data));
  const body = concat(chunks);
  const header = new Uint8Array(12);
  header.set([0x52, 0x49, 0x46, 0x46]); // RIFF
  new DataView(header.buffer).setUint32(4, 4 + body.length, true);
  header.set([0x57, 0x41, 0x56, 0x45], 8); // WAVE
  return concat([header, body]);
}

/** A 16-bit PCM sine of `frequencyHz` at `amplitude` (0..1) on every channel, `durationMs` long. */
export function sineWav16(options: { sampleRate: number; channels: number; frequencyHz: number; durationMs: number; amplitude?: number }): Uint8Array {
  const frames = Math.round((options.sampleRate * options.durationMs) / 1000);
  const data = new Uint8Array(frames * options.channels * 2);
  const view = new DataView(data.buffer);
  const amplitude = options.amplitude ?? 0.5;
  for (let i = 0; i < frames; i++) {
    const value = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * options.frequencyHz * i) / options.sampleRate));
    for (let c = 0; c < options.channels; c++) view.setInt16((i * options.channels + c) * 2, value, true);
  }
  return buildWav({ formatTag: 1, channels: options.channels, sampleRate: options.sampleRate, bitsPerSample: 16, data });
}

/** `count` silent MPEG-1 Layer III frames (44.1 kHz, 128 kbit/s, stereo): 1152 samples each. */
export function silentMp3(count: number): Uint8Array {
  const frameBytes = 417; // 144 * 128000 / 44100, no padding
  const out = new Uint8Array(frameBytes * count);
  for (let i = 0; i < count; i++) out.set([0xff, 0xfb, 0x90, 0x64], i * frameBytes);
  return out;
}

/** A flow that plays `audioId` and then says goodbye. */
export function playThenSayFlow(audioId: number) {
  return {
    version: 1,
    start: 'intro',
    steps: [
      { id: 'intro', type: 'play', audioId, next: 'bye' },
      { id: 'bye', type: 'say', text: 'Goodbye {Name}.' },
    ],
    voicemail: { say: 'Please call us back.' },
    smsOnBusy: 'We tried to call you.',
  };
}
