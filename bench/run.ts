// Number checking: our checkCalleeNumber over 100,000 UK mobiles beside libphonenumber's own parse + getType of the
// same inputs, in the same run (the check must not cost more than the library it is built on). The other figures
// are in the other bench/*.ts files (npm run bench runs them all).
import { performance } from 'node:perf_hooks';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { checkCalleeNumber } from '../src/domain/phone-number.js';
import { benchRuns, median, ratioOf, report } from './lib/report.js';

const NUMBERS = 100_000;
const RUNS = benchRuns(3);

function timeSync(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

const inputs = Array.from({ length: NUMBERS }, (_, i) => `077${String(i).padStart(8, '0')}`);
for (let i = 0; i < 2000; i++) checkCalleeNumber(inputs[i]!); // warm up both paths
for (let i = 0; i < 2000; i++) parsePhoneNumberFromString(inputs[i]!, 'GB')?.getType();
const ours: number[] = [];
const library: number[] = [];
for (let run = 0; run < RUNS; run++) {
  ours.push(timeSync(() => inputs.forEach((input) => checkCalleeNumber(input))));
  library.push(timeSync(() => inputs.forEach((input) => parsePhoneNumberFromString(input, 'GB')?.getType())));
}
const value = median(ours);
const baseline = median(library);
const ratio = ratioOf(value, baseline)!;
report('phone-numbers', [
  {
    figure: `checkCalleeNumber x ${NUMBERS.toLocaleString('en-GB')} UK mobiles`,
    value,
    baseline,
    unit: 'ms',
    baselineLabel: 'libphonenumber parse + getType',
    ratio,
    target: '<= 1x',
    pass: ratio <= 1,
  },
]);
