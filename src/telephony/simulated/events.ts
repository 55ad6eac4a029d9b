// What the simulated carrier reports about its calls, for tests and the demo to check what a callee heard (a
// voicemail message started after the beep, a message cut by a hang-up). Delivered to the optional `onEvent` callback
// only: the carrier keeps no history, so a long-running process does not grow. Times are the clock's epoch ms.

import type { AnsweredBy, DialFailure, HangupInfo } from '../carrier.js';

export type SimulatedCallEvent =
  | {
      type: 'dial';
      callId: string;
      to: string;
      /** 'script' for a test number, 'mix' for a random draw. */
      source: 'script' | 'mix';
      result: 'answered' | DialFailure | 'cancelled';
      answeredBy?: AnsweredBy;
      startedAtMs: number;
      atMs: number;
    }
  | {
      type: 'say';
      callId: string;
      text: string;
      startedAtMs: number;
      endedAtMs: number;
      /** False when the call ended before the text had been said in full. */
      complete: boolean;
      /** True when a machine's greeting was still playing as the text began (its start is not recorded). */
      beforeBeep: boolean;
    }
  | {
      type: 'gather';
      callId: string;
      prompt: string | undefined;
      digits: string;
      hungUp: boolean;
      startedAtMs: number;
      endedAtMs: number;
    }
  | {
      type: 'play';
      callId: string;
      durationMs: number;
      startedAtMs: number;
      endedAtMs: number;
      /** False when the call ended before the audio had played in full. */
      complete: boolean;
    }
  | { type: 'transfer'; callId: string; to: string; result: 'answered' | DialFailure; atMs: number }
  | { type: 'ended'; callId: string; info: HangupInfo; answeredAtMs: number; atMs: number };

export type SimulatedCallListener = (event: SimulatedCallEvent) => void;
