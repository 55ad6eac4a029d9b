// The parts of a CSV upload, read in order from the multipart stream: the small JSON parts first (campaign, columns),
// then the file, handed over as a stream and never buffered. A part out of order, one that is not expected, or a
// missing file is a 400 naming the part; the parts after the file are not read.
import type { FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { HttpProblem, validationProblem } from '../problem.js';

/** Largest JSON part (campaign, columns): a create body without its numbers is a few kilobytes. */
export const MAX_JSON_PART_BYTES = 1024 * 1024;

export interface UploadParts {
  /** Text of each JSON part that came, by name. */
  texts: Map<string, string>;
  file: AsyncIterable<Buffer> & { truncated?: boolean };
}

/**
 * Reads the parts named `textParts` (in that order, those in `optional` may be left out) and then `file`. A text part
 * may come as a form field or as a file part (`curl -F campaign=@campaign.json`).
 */
export async function readUploadParts(request: FastifyRequest, textParts: readonly string[], optional: ReadonlySet<string>): Promise<UploadParts> {
  if (!request.isMultipart()) {
    throw new HttpProblem(415, 'unsupported-media-type', `Send multipart/form-data with the parts ${[...textParts, 'file'].join(', ')}, in this order.`);
  }
  const order = [...textParts, 'file'];
  const texts = new Map<string, string>();
  const parts = request.parts({ limits: { fieldSize: MAX_JSON_PART_BYTES } })[Symbol.asyncIterator]();
  let position = 0;
  for (;;) {
    // Not a for-await loop: leaving one ends the iterator, which would drain the file we are about to hand over.
    const next = await parts.next();
    if (next.done) break;
    const part: Multipart = next.value;
    const at = order.indexOf(part.fieldname);
    if (at < 0) throw partProblem('File', `Unexpected part "${part.fieldname}"; send ${describe(order, optional)}.`);
    if (at < position) throw partProblem(pathOf(part.fieldname), `The ${part.fieldname} part came twice or out of order; send ${describe(order, optional)}.`);
    for (const skipped of order.slice(position, at)) {
      if (!optional.has(skipped)) throw partProblem(pathOf(skipped), `The ${skipped} part must come before the ${part.fieldname} part; send ${describe(order, optional)}.`);
    }
    position = at + 1;
    if (part.fieldname === 'file') {
      if (part.type !== 'file') throw partProblem('File', 'The file part must be a file (filename in its Content-Disposition), holding the CSV.');
      return { texts, file: part.file };
    }
    // A form field labelled application/json arrives already parsed by the multipart reader: it is the same JSON.
    const text = part.type === 'file' ? (await part.toBuffer()).toString('utf8') : typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
    texts.set(part.fieldname, text);
  }
  for (const name of order.slice(position)) {
    if (!optional.has(name)) throw partProblem(pathOf(name), `The ${name} part is missing; send ${describe(order, optional)}.`);
  }
  throw partProblem('File', 'The file part is missing.');
}

const pathOf = (part: string) => part.charAt(0).toUpperCase() + part.slice(1);

function describe(order: readonly string[], optional: ReadonlySet<string>): string {
  return `the parts ${order.map((name) => (optional.has(name) ? `${name} (optional)` : name)).join(', ')}, in this order`;
}

function partProblem(path: string, message: string): HttpProblem {
  return validationProblem({ [path]: [message] });
}
