import { describe, expect, it } from 'vitest';
import { Merge, serialised, type KeptEvent } from '../src/durable';

function event(seq: number) {
  return { text: `m${seq}`, seq, id: `e-${seq}` };
}

function kept(seq: number): KeptEvent {
  return { id: `e-${seq}`, seq, publishedAt: 't', payload: event(seq) };
}

describe('Merge', () => {
  it('passes events in order and drops repeats', () => {
    const merge = new Merge();
    expect(merge.offer(event(1))).toEqual({ due: [event(1)], gap: false });
    expect(merge.offer(event(1))).toEqual({ due: [], gap: false });
    expect(merge.offer({ text: 'no seq' })).toEqual({ due: [{ text: 'no seq' }], gap: false });
  });

  it('holds an event after a jump until history fills the gap', () => {
    const merge = new Merge(1);
    expect(merge.offer(event(4))).toEqual({ due: [], gap: true });
    expect(merge.fill([kept(2), kept(3), kept(4)]).map((e) => (e as { seq: number }).seq)).toEqual([2, 3, 4]);
    expect(merge.fill([kept(4)])).toEqual([]);
  });

  it('releases what history cannot fill in order', () => {
    const merge = new Merge(1);
    merge.offer(event(5));
    expect(merge.fill([kept(3), kept(4)]).map((e) => (e as { seq: number }).seq)).toEqual([3, 4, 5]);
    expect(merge.last).toBe(5);
  });

  it('recovers what was published while the connection was down, each once', () => {
    const merge = new Merge();
    const shown: number[] = [];
    const show = (due: unknown[]) => due.forEach((e) => shown.push((e as { seq: number }).seq));
    show(merge.fill([kept(1)]));
    show(merge.offer(event(2)).due);
    // the connection drops; 3, 4 and 5 are published; it reconnects and catches up
    show(merge.fill([kept(3), kept(4), kept(5)]));
    show(merge.offer(event(5)).due); // a late duplicate
    show(merge.offer(event(6)).due);
    expect(shown).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('serialised', () => {
  it('runs one catch-up at a time and one more after a request during it', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const catchUp = serialised(
      () =>
        new Promise<void>((resolve) => {
          runs += 1;
          release = resolve;
        }),
    );
    const first = catchUp();
    void catchUp();
    void catchUp();
    release();
    await Promise.resolve();
    await Promise.resolve();
    release();
    await first;
    expect(runs).toBe(2);
  });
});
