// In-band DTMF detection (ITU-T Q.23 tones, Q.24 reception), the fallback for far ends that send keypresses as
// audio instead of RFC 4733 telephone-events.
//
// A keypress is the sum of one "row" tone (low group) and one "column" tone (high group):
//
//            1209  1336  1477  1633 Hz
//     697     1     2     3     A
//     770     4     5     6     B
//     852     7     8     9     C
//     941     *     0     #     D
//
// The audio is cut into blocks of 205 samples (25.6 ms at 8 kHz; the classic choice: long enough that the Goertzel
// filters, whose main lobe is ~39 Hz wide at that length, separate neighbouring rows 73 Hz apart, and short enough
// to see 40-50 ms tones). Each block gets the Goertzel energy of the 8 frequencies, and the strongest row and column
// must pass every check below before the block counts as a "hit" for that key. Speech is what these checks are
// against: it is loud and has energy near the DTMF frequencies, but spread over many harmonics.
//   - level: both tones above MIN_TONE_AMPLITUDE (quiet line noise is not a key);
//   - twist: the two tones' levels may differ by at most 8 dB with the row stronger ("normal" twist, the usual
//     effect of a line losing high frequencies) or 4 dB with the column stronger ("reverse" twist), Q.24 figures;
//   - dominance: the chosen row is 8 dB above every other row, the chosen column 8 dB above every other column;
//   - second harmonic: a generator's tones are nearly pure, a voice's are not, so the energy at twice each
//     frequency must be 10 dB below the tone;
//   - total energy: the two tones must carry at least 40% of the block's energy (DC removed). This also rejects a
//     block that holds only the edge of a tone (a block a fraction F into a tone scores about F), which is what
//     makes tones under ~20 ms never count. 40% rather than 50% because a tone 1.5% off its nominal frequency
//     (which Q.24 says must be accepted) loses up to 7 dB in a 205-point filter; at 35% espeak-ng speech started to
//     make digits.
// A key is reported once it has hit in HITS_TO_REPORT consecutive blocks (~50 ms), and the detector then waits
// for MISSES_TO_END consecutive blocks without that key before anything new can be reported, so a long press is
// one digit and one lost packet in the middle of a tone does not make it two.
// Measured with synthetic keys at every block alignment: tones of 40 ms and more are always reported, 20 ms never;
// gaps of 60 ms and more always separate two presses of the same key, 40-50 ms only sometimes (Q.24 asks for
// 40 ms: the price of riding out a lost packet); levels down to an amplitude of 600 per tone (-35 dBFS); twist up
// to 7.6 dB normal and 4 dB reverse; frequencies within +-1.5%, none at +-3%; no digit from ~20 s of espeak-ng
// speech in 15 voices at three levels.

const DEFAULT_SAMPLE_RATE_HZ = 8000;
/** 205 samples at 8 kHz; other rates keep the same duration. */
const BLOCK_DURATION_S = 205 / 8000;

const ROW_FREQUENCIES_HZ = [697, 770, 852, 941] as const;
const COLUMN_FREQUENCIES_HZ = [1209, 1336, 1477, 1633] as const;
const KEYS = ['123A', '456B', '789C', '*0#D'] as const;

/** Peak amplitude (16-bit units) each tone must reach: about -36 dBFS, some 25 dB below a typical phone's tones. */
const MIN_TONE_AMPLITUDE = 520;
/** Row may exceed column by 8 dB (power ratio 6.31). */
const MAX_NORMAL_TWIST = 6.31;
/** Column may exceed row by 4 dB (power ratio 2.51). */
const MAX_REVERSE_TWIST = 2.51;
/** Best row (column) over any other row (column): 8 dB. */
const MIN_RELATIVE_PEAK = 6.31;
/** Second harmonic at most 10 dB under its tone. */
const MAX_SECOND_HARMONIC_RATIO = 0.1;
/** The two tones' share of the block's (AC) energy (see the header for why 0.4). */
const MIN_TONE_TO_TOTAL_RATIO = 0.4;

const HITS_TO_REPORT = 2;
const MISSES_TO_END = 2;

/** What the detector knows about the key being pressed, one transition per block. */
type DigitState =
  /** No key, or the last one has ended. */
  | { name: 'idle' }
  /** A key hit in `hits` consecutive blocks, not yet enough to report. */
  | { name: 'candidate'; digit: string; hits: number }
  /** A key was reported; `misses` consecutive blocks have not had it since. */
  | { name: 'reported'; digit: string; misses: number };

export interface InbandDtmfOptions {
  sampleRateHz?: number;
}

export class InbandDtmfDetector {
  private readonly sampleRateHz: number;
  private readonly blockSize: number;
  private readonly rowCoefficients: number[];
  private readonly columnCoefficients: number[];
  /** Samples of the block being filled: push calls may split blocks anywhere. */
  private readonly block: Float64Array;
  private filled = 0;
  private state: DigitState = { name: 'idle' };

  constructor(options: InbandDtmfOptions = {}) {
    const rate = options.sampleRateHz ?? DEFAULT_SAMPLE_RATE_HZ;
    // The highest frequency examined is the second harmonic of 1633 Hz, so the rate must carry 3266 Hz.
    if (!Number.isFinite(rate) || rate < 2 * 2 * COLUMN_FREQUENCIES_HZ[3] + 1) {
      throw new RangeError(`sampleRateHz must be a number above ${4 * COLUMN_FREQUENCIES_HZ[3]}`);
    }
    this.sampleRateHz = rate;
    this.blockSize = Math.round(BLOCK_DURATION_S * rate);
    this.block = new Float64Array(this.blockSize);
    this.rowCoefficients = ROW_FREQUENCIES_HZ.map((f) => this.coefficient(f));
    this.columnCoefficients = COLUMN_FREQUENCIES_HZ.map((f) => this.coefficient(f));
  }

  /** Feeds audio of any length (even empty); returns the digits that became detected during this push. */
  push(samples: Int16Array): string[] {
    const digits: string[] = [];
    for (let i = 0; i < samples.length; i++) {
      this.block[this.filled++] = samples[i]!;
      if (this.filled === this.blockSize) {
        this.filled = 0;
        const reported = this.transition(this.analyseBlock());
        if (reported !== null) digits.push(reported);
      }
    }
    return digits;
  }

  /** Forgets any partial block and key in progress (e.g. when the stream restarts). */
  reset(): void {
    this.filled = 0;
    this.state = { name: 'idle' };
  }

  /** The one place the state changes: given this block's hit (or null), returns a digit to report, if any. */
  private transition(hit: string | null): string | null {
    const state = this.state;
    switch (state.name) {
      case 'idle':
        if (hit !== null) this.state = { name: 'candidate', digit: hit, hits: 1 };
        return this.reportIfEnough();
      case 'candidate':
        if (hit === null) this.state = { name: 'idle' };
        else if (hit === state.digit) this.state = { name: 'candidate', digit: hit, hits: state.hits + 1 };
        else this.state = { name: 'candidate', digit: hit, hits: 1 };
        return this.reportIfEnough();
      case 'reported':
        if (hit === state.digit) {
          this.state = { name: 'reported', digit: state.digit, misses: 0 };
          return null;
        }
        if (state.misses + 1 < MISSES_TO_END) {
          this.state = { name: 'reported', digit: state.digit, misses: state.misses + 1 };
          return null;
        }
        // The key has ended; a different key heard in this very block starts its own count.
        this.state = hit === null ? { name: 'idle' } : { name: 'candidate', digit: hit, hits: 1 };
        return this.reportIfEnough();
    }
  }

  private reportIfEnough(): string | null {
    const state = this.state;
    if (state.name !== 'candidate' || state.hits < HITS_TO_REPORT) return null;
    this.state = { name: 'reported', digit: state.digit, misses: 0 };
    return state.digit;
  }

  /** The key this block holds, or null when any check fails. */
  private analyseBlock(): string | null {
    const rowEnergies = this.rowCoefficients.map((c) => goertzelPower(this.block, c));
    const columnEnergies = this.columnCoefficients.map((c) => goertzelPower(this.block, c));
    const row = indexOfMax(rowEnergies);
    const column = indexOfMax(columnEnergies);
    const rowEnergy = rowEnergies[row]!;
    const columnEnergy = columnEnergies[column]!;

    // Goertzel power of a sine of amplitude A at its own frequency is (A * N / 2)^2.
    const minEnergy = ((MIN_TONE_AMPLITUDE * this.blockSize) / 2) ** 2;
    if (rowEnergy < minEnergy || columnEnergy < minEnergy) return null;
    if (rowEnergy > columnEnergy * MAX_NORMAL_TWIST || columnEnergy > rowEnergy * MAX_REVERSE_TWIST) return null;
    if (!dominates(rowEnergies, row) || !dominates(columnEnergies, column)) return null;

    // The same power as a time-domain energy (sum of squares) is 2 |X|^2 / N, comparable with the block's.
    const toneEnergy = (2 * (rowEnergy + columnEnergy)) / this.blockSize;
    if (toneEnergy < MIN_TONE_TO_TOTAL_RATIO * acEnergy(this.block)) return null;

    const rowHarmonic = goertzelPower(this.block, this.coefficient(2 * ROW_FREQUENCIES_HZ[row]!));
    const columnHarmonic = goertzelPower(this.block, this.coefficient(2 * COLUMN_FREQUENCIES_HZ[column]!));
    if (rowHarmonic > rowEnergy * MAX_SECOND_HARMONIC_RATIO || columnHarmonic > columnEnergy * MAX_SECOND_HARMONIC_RATIO) {
      return null;
    }
    return KEYS[row]!.charAt(column);
  }

  private coefficient(frequencyHz: number): number {
    return 2 * Math.cos((2 * Math.PI * frequencyHz) / this.sampleRateHz);
  }
}

/**
 * |X(f)|^2 of the block at the frequency whose coefficient is 2 cos(2 pi f / rate): the Goertzel recurrence
 * s[n] = x[n] + c s[n-1] - s[n-2], then s1^2 + s2^2 - c s1 s2. Evaluated at the exact frequency (not the nearest
 * DFT bin), so a tone on a DTMF frequency gets its full power.
 */
function goertzelPower(block: Float64Array, coefficient: number): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < block.length; i++) {
    const s0 = block[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

/** Sum of squares with the mean removed: a DC offset on the line is not energy a tone has to beat. */
function acEnergy(block: Float64Array): number {
  let sum = 0;
  let sumOfSquares = 0;
  for (let i = 0; i < block.length; i++) {
    sum += block[i]!;
    sumOfSquares += block[i]! * block[i]!;
  }
  return sumOfSquares - (sum * sum) / block.length;
}

function indexOfMax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

function dominates(energies: readonly number[], best: number): boolean {
  const peak = energies[best]!;
  return energies.every((energy, i) => i === best || peak >= energy * MIN_RELATIVE_PEAK);
}
