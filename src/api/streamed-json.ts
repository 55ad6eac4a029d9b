// A JSON answer with long lists (the create's echo of 100,000 numbers) sent as a stream: the route's own serializer
// (its response schema, so the bytes are what Fastify would send) writes the rest of the answer once, with the long
// lists empty, and each list is serialized a chunk of entries at a time as the socket takes it, with the event loop
// handed back between chunks. The whole text never exists at once: building it as one string (then the string with
// the lists spliced in, then its Buffer) was the last and highest step of a large create's memory (issue 10).
import { Readable } from 'node:stream';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { yieldToEventLoop } from '../domain/stepwise.js';

/** List entries serialized between two hand-backs of the event loop (about 5 ms' work). */
export const STREAMED_CHUNK_ENTRIES = 2000;

export function streamedJson<Schema extends TObject>(
  reply: FastifyReply,
  schema: Schema,
  lists: readonly (keyof Static<Schema> & string)[],
  value: Static<Schema>,
): Readable {
  const emptied = { ...value, ...Object.fromEntries(lists.map((key) => [key, []])) };
  const skeleton = reply.compileSerializationSchema(schema)(emptied);
  // Where each list's "[]" sits in the skeleton, in the order the serializer wrote them. Only the property itself can
  // match: inside a serialized string value every quote is escaped.
  const holes = lists
    .map((key) => ({ key, at: skeleton.indexOf(`"${key}":[]`) }))
    .filter((hole) => hole.at >= 0)
    .map((hole) => ({ ...hole, at: hole.at + hole.key.length + 4 }))
    .sort((a, b) => a.at - b.at);
  async function* pieces(): AsyncGenerator<string> {
    let from = 0;
    for (const { key, at } of holes) {
      // Up to and including the list's "[".
      yield skeleton.slice(from, at);
      const items = value[key] as unknown[];
      const serializeList = reply.compileSerializationSchema(schema.properties[key] as TSchema);
      for (let start = 0; start < items.length; start += STREAMED_CHUNK_ENTRIES) {
        if (start > 0) await yieldToEventLoop();
        const chunk = serializeList(items.slice(start, start + STREAMED_CHUNK_ENTRIES) as never);
        yield (start > 0 ? ',' : '') + chunk.slice(1, -1);
      }
      from = at;
    }
    yield skeleton.slice(from);
  }
  return Readable.from(pieces(), { objectMode: false });
}
