// One client's server-sent event stream of a campaign's summary (GET /api/campaigns/voice/:id/live, issue 11), as a
// small state machine: open (a summary read every interval: an `event: summary` when it changed, a `: keep-alive`
// comment when it did not), then closed, by the campaign finishing (a last summary, then `event: end`), the campaign
// being deleted (`event: end`), the client going away or the server closing. Its one timer is cleared on every way
// out, and reads never overlap: the next is scheduled only after the last one is written.

/** How often a live stream reads the summary again. */
export const LIVE_SUMMARY_INTERVAL_MS = 1_000;

/** What the stream writes to: the HTTP response, as a text/event-stream body. */
export interface EventSink {
  write(chunk: string): void;
  end(): void;
  /** True while the client has not taken what was written (it is not read from): the stream skips a read. */
  readonly backedUp: boolean;
}

export interface SummaryStreamOptions<S extends { at: string; campaignStatus: number }> {
  sink: EventSink;
  /** The summary now; undefined once the campaign is gone. */
  read(): Promise<S | undefined>;
  /** Whether a campaign in this status will not change any more (Completed, Cancelled). */
  isFinal(status: number): boolean;
  intervalMs?: number;
  onError(error: unknown): void;
  /** Called once when the stream has closed, however it closed. */
  onClosed(): void;
}

type State = 'open' | 'closed';

export class SummaryStream<S extends { at: string; campaignStatus: number }> {
  private state: State = 'open';
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The last summary sent, without its time: a read that finds the same sends a keep-alive instead. */
  private lastSent = '';
  private readonly intervalMs: number;

  constructor(private readonly options: SummaryStreamOptions<S>) {
    this.intervalMs = options.intervalMs ?? LIVE_SUMMARY_INTERVAL_MS;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Sends the first summary at once, and goes on while the campaign runs. */
  start(first: S): void {
    this.send(first);
  }

  /** Stops without a last event (the client went away, or the server is closing): the response is ended. */
  close(): void {
    this.finish(false);
  }

  private send(summary: S): void {
    if (this.closed) return;
    const { at: _at, ...unchanging } = summary;
    const key = JSON.stringify(unchanging);
    if (key === this.lastSent) {
      this.options.sink.write(': keep-alive\n\n');
    } else {
      this.lastSent = key;
      this.options.sink.write(`event: summary\ndata: ${JSON.stringify(summary)}\n\n`);
    }
    if (this.options.isFinal(summary.campaignStatus)) this.finish(true, { reason: 'finished', campaignStatus: summary.campaignStatus });
    else this.schedule();
  }

  private schedule(): void {
    // Real time, whatever clock the summaries are dated by.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, this.intervalMs);
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    // A client that does not read gets nothing more queued for it until it catches up.
    if (this.options.sink.backedUp) return this.schedule();
    let summary: S | undefined;
    try {
      summary = await this.options.read();
    } catch (error) {
      // A failed read (the database restarting) is tried again at the next interval; the client keeps its stream.
      this.options.onError(error);
      if (!this.closed) this.schedule();
      return;
    }
    if (this.closed) return;
    if (summary === undefined) this.finish(true, { reason: 'deleted' });
    else this.send(summary);
  }

  private finish(withEndEvent: boolean, end?: Record<string, unknown>): void {
    if (this.closed) return;
    this.state = 'closed';
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (withEndEvent) this.options.sink.write(`event: end\ndata: ${JSON.stringify(end ?? {})}\n\n`);
    this.options.sink.end();
    this.options.onClosed();
  }
}
