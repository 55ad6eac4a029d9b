// Mixing to mono and resampling to the telephone rate (8000 Hz), the form every uploaded audio file is stored in.
//
// Upsampling (a source below 8 kHz) is linear interpolation between neighbouring source samples: nothing above the
// source's Nyquist frequency exists to alias, and the interpolation's mild high-frequency droop is harmless on a
// phone line.
// Downsampling must first remove what lies above the new Nyquist frequency (4 kHz), or it folds back as audible
// aliasing (a 6 kHz tone would come out at 2 kHz). Each output sample is therefore a low-pass FIR filter evaluated at
// its position in the source: a Hann-windowed sinc with its cutoff at 0.9 x 4 kHz, spanning KERNEL_ZERO_CROSSINGS
// zero crossings each side. This is interpolation and low-pass in one step (the filter is evaluated at the exact
// fractional position, so no separate interpolation is needed), and costs about 2 x 8 x ratio multiplications per
// output sample (~700 k per second of 44.1 kHz audio).

export const TELEPHONE_RATE_HZ = 8000;
/** Zero crossings of the sinc each side of the centre: more is a steeper low-pass, at a proportional cost. */
const KERNEL_ZERO_CROSSINGS = 8;
/** Cutoff as a fraction of the output Nyquist frequency, leaving room for the filter's transition band. */
const CUTOFF_FRACTION = 0.9;

/** Averages the channels (equal weight); a single channel is returned as is. */
export function mixToMono(channels: readonly Float32Array[]): Float32Array {
  const first = channels[0];
  if (first === undefined) return new Float32Array(0);
  if (channels.length === 1) return first;
  const mono = new Float32Array(first.length);
  for (const channel of channels) {
    for (let i = 0; i < mono.length; i++) mono[i]! += channel[i] ?? 0;
  }
  for (let i = 0; i < mono.length; i++) mono[i]! /= channels.length;
  return mono;
}

/** Float samples in [-1, 1] to 16-bit PCM, rounded and clipped. */
export function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = floatToInt16(samples[i]!);
  return out;
}

function floatToInt16(x: number): number {
  const scaled = Math.round(x * 32768);
  return scaled > 32767 ? 32767 : scaled < -32768 ? -32768 : scaled;
}

/** Resamples mono float audio from `fromRateHz` to `toRateHz` (default 8000 Hz), as 16-bit PCM. */
export function resampleToInt16(mono: Float32Array, fromRateHz: number, toRateHz = TELEPHONE_RATE_HZ): Int16Array {
  if (!(fromRateHz > 0) || !(toRateHz > 0)) throw new RangeError('sample rates must be positive');
  if (fromRateHz === toRateHz) return toInt16(mono);
  const outLength = Math.max(mono.length > 0 ? 1 : 0, Math.round((mono.length * toRateHz) / fromRateHz));
  const out = new Int16Array(outLength);
  const step = fromRateHz / toRateHz; // source samples per output sample
  if (step < 1) {
    for (let i = 0; i < outLength; i++) out[i] = floatToInt16(linearAt(mono, i * step));
    return out;
  }
  // Cutoff in cycles per source sample; the kernel's half-width in source samples follows from it.
  const cutoff = (0.5 / step) * CUTOFF_FRACTION;
  const halfWidth = KERNEL_ZERO_CROSSINGS / (2 * cutoff);
  const kernel = (distance: number) => sinc(2 * cutoff * distance) * hann(distance / halfWidth);
  // With whole-number rates the output positions fall on `period` fractional phases only (22,050 -> 8,000 Hz: 160),
  // so each phase's weights are computed once instead of two trigonometric calls per tap per sample: the profile of
  // text-to-speech under load showed this loop at 27 ms per second of speech on the event loop, 10x less with tables.
  const phases = Number.isInteger(fromRateHz) && Number.isInteger(toRateHz) ? toRateHz / gcd(fromRateHz, toRateHz) : 0;
  const tables = phases > 0 && phases <= MAX_PHASE_TABLES ? new Map<number, Float64Array>() : undefined;
  for (let i = 0; i < outLength; i++) {
    const centre = i * step;
    const first = Math.max(0, Math.ceil(centre - halfWidth));
    const last = Math.min(mono.length - 1, Math.floor(centre + halfWidth));
    let sum = 0;
    let weights = 0;
    if (tables) {
      // Taps from the unclipped first tap; clipping at the edges skips some, as the loop below does.
      const base = Math.ceil(centre - halfWidth);
      const phase = i % phases;
      let table = tables.get(phase);
      if (table === undefined) {
        table = new Float64Array(Math.floor(centre + halfWidth) - base + 1);
        for (let k = 0; k < table.length; k++) table[k] = kernel(base + k - centre);
        tables.set(phase, table);
      }
      for (let n = first; n <= last; n++) {
        const weight = table[n - base] ?? 0;
        sum += mono[n]! * weight;
        weights += weight;
      }
    } else {
      for (let n = first; n <= last; n++) {
        const weight = kernel(n - centre);
        sum += mono[n]! * weight;
        weights += weight;
      }
    }
    // Normalising by the weights keeps DC gain 1, including at the edges where the kernel is cut short.
    out[i] = floatToInt16(weights !== 0 ? sum / weights : 0);
  }
  return out;
}

/** Phase tables are kept for rates whose ratio repeats within this many output samples. */
const MAX_PHASE_TABLES = 4096;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function linearAt(samples: Float32Array, position: number): number {
  const index = Math.floor(position);
  const fraction = position - index;
  const a = samples[index] ?? 0;
  const b = samples[index + 1] ?? a;
  return a + (b - a) * fraction;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Hann window over [-1, 1]. */
function hann(x: number): number {
  return Math.abs(x) >= 1 ? 0 : 0.5 + 0.5 * Math.cos(Math.PI * x);
}

/** Mixes to mono and resamples to 8 kHz 16-bit PCM. */
export function toTelephoneAudio(channels: readonly Float32Array[], sampleRateHz: number): Int16Array {
  return resampleToInt16(mixToMono(channels), sampleRateHz, TELEPHONE_RATE_HZ);
}
