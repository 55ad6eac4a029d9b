// Messages to and from a media worker go per event-loop turn (src/media/session/message-batch.ts): a turn's messages
// as one batch in the order posted, with every transfer list, a lone message unwrapped, flush() at once.
import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { forEachMessage, MessageBatcher } from '../../src/media/session/message-batch.js';

type Message = { type: 'a' | 'b'; n: number; buffer?: ArrayBuffer };

function recordingTarget() {
  const posted: { message: unknown; transfer: readonly ArrayBuffer[] | undefined }[] = [];
  return { posted, postMessage: (message: unknown, transfer?: readonly ArrayBuffer[]) => posted.push({ message, transfer }) };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('MessageBatcher', () => {
  it("sends a turn's messages as one batch, in order, with their transfers, at the end of the turn", async () => {
    const target = recordingTarget();
    const batcher = new MessageBatcher<Message>(target);
    const one = new ArrayBuffer(8);
    const two = new ArrayBuffer(16);
    batcher.post({ type: 'a', n: 1, buffer: one }, [one]);
    batcher.post({ type: 'b', n: 2 });
    batcher.post({ type: 'a', n: 3, buffer: two }, [two]);
    expect(target.posted).toHaveLength(0);
    await nextTurn();
    expect(target.posted).toHaveLength(1);
    const [{ message, transfer }] = target.posted as [{ message: { type: string; messages: Message[] }; transfer: ArrayBuffer[] }];
    expect(message.type).toBe('batch');
    expect(message.messages.map((m) => m.n)).toEqual([1, 2, 3]);
    expect(transfer).toEqual([one, two]);
    await nextTurn();
    expect(target.posted).toHaveLength(1); // nothing more to send
  });

  it('sends a lone message as it is, and flush() sends at once', async () => {
    const target = recordingTarget();
    const batcher = new MessageBatcher<Message>(target);
    batcher.post({ type: 'a', n: 1 });
    await nextTurn();
    expect(target.posted.map((p) => p.message)).toEqual([{ type: 'a', n: 1 }]);
    batcher.post({ type: 'b', n: 2 });
    batcher.flush();
    expect(target.posted.map((p) => p.message)).toEqual([{ type: 'a', n: 1 }, { type: 'b', n: 2 }]);
    await nextTurn();
    expect(target.posted).toHaveLength(2);
  });

  it('arrives through a real MessagePort in order, a transferred buffer moved, and forEachMessage unpacks both shapes', async () => {
    const { port1, port2 } = new MessageChannel();
    const received: Message[] = [];
    const all = new Promise<void>((resolve) =>
      port2.on('message', (message: Message | { type: 'batch'; messages: Message[] }) =>
        forEachMessage(message, (each) => {
          received.push(each);
          if (received.length === 4) resolve();
        }),
      ),
    );
    const batcher = new MessageBatcher<Message>(port1);
    const buffer = new ArrayBuffer(4);
    batcher.post({ type: 'a', n: 1 });
    batcher.post({ type: 'b', n: 2, buffer }, [buffer]);
    expect(buffer.byteLength).toBe(4); // not moved until the batch goes
    await nextTurn();
    expect(buffer.byteLength).toBe(0); // moved, not copied
    batcher.post({ type: 'a', n: 3 });
    await nextTurn();
    batcher.post({ type: 'b', n: 4 });
    await all;
    expect(received.map((m) => m.n)).toEqual([1, 2, 3, 4]);
    expect(received[1]!.buffer?.byteLength).toBe(4);
    port1.close();
  });
});
