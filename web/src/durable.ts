// Durable channels on the client: live events and the channel's history merged by `seq`,
// repeats (by `id`) dropped, so a dropped connection loses nothing and shows nothing twice.
// The server side: README "Durable channels" (every event numbered per channel, kept before it
// is delivered, read back from GET <historyUrl>/<channel>?after=<seq>).

export interface Sequenced {
  seq: number;
  id: string;
  [key: string]: unknown;
}

/** An item of the history API's answer. */
export interface KeptEvent {
  id: string;
  seq: number;
  publishedAt: string;
  payload: unknown;
}

function isSequenced(value: unknown): value is Sequenced {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Number.isInteger(v.seq) && typeof v.id === 'string';
}

/**
 * `offer` takes a live event: the events now due, in order, and whether a catch-up is needed
 * (its `seq` jumped). `fill` takes what history answered after `last`: the events due, and
 * those held behind a gap history cannot fill (a number given to a write that failed)
 * released in order. Events without `seq` pass straight through.
 */
export class Merge {
  last: number;
  private readonly seen = new Set<string>();
  private readonly held = new Map<number, Sequenced>();

  constructor(last = 0) {
    this.last = last;
  }

  offer(event: unknown): { due: unknown[]; gap: boolean } {
    if (!isSequenced(event)) return { due: [event], gap: false };
    if (this.seen.has(event.id) || event.seq <= this.last) return { due: [], gap: false };
    if (event.seq !== this.last + 1) {
      this.held.set(event.seq, event);
      return { due: [], gap: true };
    }
    return { due: this.release(event), gap: false };
  }

  fill(kept: KeptEvent[]): unknown[] {
    const due: unknown[] = [];
    for (const item of kept) {
      const event = item.payload;
      if (!isSequenced(event) || this.seen.has(event.id) || event.seq <= this.last) continue;
      this.held.delete(event.seq);
      if (event.seq !== this.last + 1) {
        this.held.set(event.seq, event);
        continue;
      }
      due.push(...this.release(event));
    }
    while (this.held.size > 0) {
      const seq = Math.min(...this.held.keys());
      const event = this.held.get(seq) as Sequenced;
      this.held.delete(seq);
      this.last = seq - 1;
      due.push(...this.release(event));
    }
    return due;
  }

  private release(event: Sequenced): Sequenced[] {
    const due = [event];
    this.last = event.seq;
    this.seen.add(event.id);
    for (let next = this.held.get(this.last + 1); next; next = this.held.get(this.last + 1)) {
      this.held.delete(next.seq);
      this.last = next.seq;
      this.seen.add(next.id);
      due.push(next);
    }
    return due;
  }
}

/**
 * Runs catch-ups one at a time: a request while one runs makes one more run after it, so a
 * burst of gaps and reconnects costs at most two reads.
 */
export function serialised(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async (): Promise<void> => {
    do {
      again = false;
      await run();
    } while (again);
    running = null;
  };
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = loop();
    return running;
  };
}
