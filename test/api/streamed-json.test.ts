// streamedJson sends exactly the bytes the route's own serializer would, with the long lists written a chunk at a
// time as the socket takes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { STREAMED_CHUNK_ENTRIES, streamedJson } from '../../src/api/streamed-json.js';

const Entry = Type.Object({ number: Type.String(), name: Type.Optional(Type.String()) });
const Answer = Type.Object({
  id: Type.Integer(),
  // A string that looks like a list property must not be taken for one.
  label: Type.String(),
  phoneNumbers: Type.Array(Entry),
  note: Type.String(),
  duplicatePhoneNumbers: Type.Array(Type.Object({ index: Type.Integer(), number: Type.String() })),
  invalidPhoneNumbers: Type.Array(Entry),
});
type Answer = Static<typeof Answer>;
const LISTS = ['phoneNumbers', 'invalidPhoneNumbers', 'duplicatePhoneNumbers'] as const;

function answer(numbers: number, duplicates: number): Answer {
  return {
    id: 7,
    label: '"phoneNumbers":[] and "invalidPhoneNumbers":[]',
    // An extra property the schema leaves out, as the serializer does.
    phoneNumbers: Array.from({ length: numbers }, (_, i) => ({ number: `+4477009${String(i).padStart(5, '0')}`, name: `N "${i}"`, extra: true }) as never),
    note: 'ünïcode ✓',
    duplicatePhoneNumbers: Array.from({ length: duplicates }, (_, i) => ({ index: i, number: `+44770090000${i % 10}` })),
    invalidPhoneNumbers: [],
  };
}

describe('streamedJson', () => {
  let app: FastifyInstance;
  let current: Answer;
  beforeAll(async () => {
    app = Fastify();
    app.get('/whole', { schema: { response: { 200: Answer } } }, async () => current);
    app.get('/streamed', { schema: { response: { 200: Answer } } }, async (_request, reply) =>
      reply.type('application/json; charset=utf-8').send(streamedJson(reply, Answer, LISTS, current) as never),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  for (const [numbers, duplicates] of [
    [0, 0],
    [1, 3],
    [STREAMED_CHUNK_ENTRIES, 1],
    [2 * STREAMED_CHUNK_ENTRIES + 17, STREAMED_CHUNK_ENTRIES + 1],
  ] as const) {
    it(`sends the serializer's bytes: ${numbers} numbers, ${duplicates} duplicates`, async () => {
      current = answer(numbers, duplicates);
      const whole = await app.inject({ method: 'GET', url: '/whole' });
      const streamed = await app.inject({ method: 'GET', url: '/streamed' });
      expect(streamed.statusCode).toBe(200);
      expect(streamed.headers['content-type']).toBe('application/json; charset=utf-8');
      // Sent as it is made: no Content-Length, chunked.
      expect(streamed.headers['content-length']).toBeUndefined();
      expect(streamed.headers['transfer-encoding']).toBe('chunked');
      expect(streamed.body).toBe(whole.body);
      expect((JSON.parse(streamed.body) as Answer).phoneNumbers).toHaveLength(numbers);
    });
  }

  it('hands the event loop back between chunks of a long list', async () => {
    current = answer(5 * STREAMED_CHUNK_ENTRIES, 0);
    // Event-loop turns, counted by a setImmediate that re-arms itself (one per turn, however fast the machine): a
    // timer (setInterval) counted milliseconds instead, and a fast machine streamed five chunks in under 4 ms.
    let turns = 0;
    let counting = true;
    const count = () => {
      if (!counting) return;
      turns++;
      setImmediate(count);
    };
    setImmediate(count);
    const streamed = await app.inject({ method: 'GET', url: '/streamed' });
    counting = false;
    expect(streamed.statusCode).toBe(200);
    expect(turns).toBeGreaterThanOrEqual(4);
  });
});
