import { describe, expect, it } from 'vitest';
import { Members, Membership, occupancyWords, PresenceRefused, type Timers } from '../src/presence';

const enter = (id: string) => ({ action: 'enter', member: { id, data: {} }, seq: 1 });
const leave = (id: string) => ({ action: 'leave', member: { id, data: {} }, seq: 2 });

describe('Members', () => {
  it('counts nothing before the snapshot, then follows enters and leaves', () => {
    const members = new Members();
    expect(members.offer(enter('a'))).toBe(false);
    expect(members.count).toBeNull();
    members.snapshot(['a', 'b']);
    expect(members.count).toBe(2);
    expect(members.offer(enter('c'))).toBe(true);
    expect(members.offer(enter('c'))).toBe(true); // a repeat changes nothing
    expect(members.count).toBe(3);
    members.offer(leave('a'));
    expect(members.count).toBe(2);
    expect(members.offer({ text: 'not presence' })).toBe(false);
  });

  it('applies what was announced while the snapshot was read, after it', () => {
    const members = new Members();
    members.snapshot(['a']);
    members.reading();
    expect(members.offer(leave('a'))).toBe(false); // held
    expect(members.offer(enter('b'))).toBe(false);
    members.snapshot(['a']); // read before a left
    expect(members.count).toBe(1);
    expect(members.offer(enter('a'))).toBe(true);
    expect(members.count).toBe(2);
  });

  it('says the count in words', () => {
    expect(occupancyWords(1)).toBe('1 person answering');
    expect(occupancyWords(3)).toBe('3 people answering');
  });
});

interface Call {
  method: string;
  action?: string;
  authorization: string;
  keepalive: boolean;
}

/** The presence API as a fetch: each call takes the next of `statuses` (0 or none: answered). */
function platform(statuses: number[] = []) {
  const calls: Call[] = [];
  const fetcher = (async (url: string, init: RequestInit) => {
    const body = init.body ? (JSON.parse(init.body as string) as { action: string }) : undefined;
    const headers = init.headers as Record<string, string>;
    calls.push({ method: init.method ?? 'GET', action: body?.action, authorization: headers.Authorization, keepalive: Boolean(init.keepalive) });
    expect(url).toBe('https://api.example.com/presence/chat/answering');
    const status = statuses.shift();
    if (status) return new Response(JSON.stringify({ message: `refused ${status}` }), { status });
    if (!body) return new Response(JSON.stringify({ members: [{ id: 'a' }, { id: 'b' }], occupancy: 2 }));
    return new Response(JSON.stringify({ heartbeatSeconds: 30, announced: null }));
  }) as unknown as typeof fetch;
  return { calls, fetcher };
}

/** setTimeout that waits for the test to run it. */
class ManualTimers implements Timers {
  pending = new Map<number, { handler: () => void; ms: number }>();
  private next = 1;
  setTimeout(handler: () => void, ms: number): number {
    this.pending.set(this.next, { handler, ms });
    return this.next++;
  }
  clearTimeout(id: number): void {
    this.pending.delete(id);
  }
  async fire(): Promise<number> {
    const [[id, timer]] = [...this.pending];
    this.pending.delete(id);
    timer.handler();
    for (let i = 0; i < 10; i += 1) await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
    return timer.ms;
  }
}

function membership(api: ReturnType<typeof platform>, timers: ManualTimers, problems: unknown[] = []) {
  return new Membership('https://api.example.com/presence', '/chat/answering', async () => 'tok', (p) => problems.push(p), api.fetcher, timers);
}

describe('Membership', () => {
  it('enters, beats at the interval the platform names, reads the members and leaves once', async () => {
    const api = platform();
    const timers = new ManualTimers();
    const member = membership(api, timers);
    await member.enter();
    expect(await timers.fire()).toBe(30_000);
    expect(await member.members()).toEqual(['a', 'b']);
    await member.leave();
    await member.leave();
    expect(api.calls.map((c) => c.action ?? c.method)).toEqual(['enter', 'heartbeat', 'GET', 'leave']);
    expect(api.calls.every((c) => c.authorization === 'Bearer tok')).toBe(true);
    expect(timers.pending.size).toBe(0); // no heartbeat after leaving
  });

  it('enters again when the platform forgot it, and goes on after a failed beat', async () => {
    // enter, then: heartbeat 409 (forgotten) -> enter; heartbeat 503; heartbeat.
    const api = platform([0, 409, 0, 503, 0]);
    const timers = new ManualTimers();
    const problems: unknown[] = [];
    const member = membership(api, timers, problems);
    await member.enter();
    await timers.fire();
    await timers.fire();
    await timers.fire();
    expect(api.calls.map((c) => c.action)).toEqual(['enter', 'heartbeat', 'enter', 'heartbeat', 'heartbeat']);
    expect(problems.map((p) => (p as PresenceRefused).status)).toEqual([503]);
    expect(timers.pending.size).toBe(1); // still beating
  });

  it('leaves with a request that outlives a page going away', async () => {
    const api = platform();
    const timers = new ManualTimers();
    const member = membership(api, timers);
    await member.enter();
    await member.leave(true);
    expect(api.calls.at(-1)).toEqual({ method: 'POST', action: 'leave', authorization: 'Bearer tok', keepalive: true });
  });

  it('names what the platform refused', async () => {
    const api = platform([403]);
    const member = membership(api, new ManualTimers());
    const refused = await member.enter().catch((problem: unknown) => problem);
    expect(refused).toBeInstanceOf(PresenceRefused);
    expect((refused as PresenceRefused).status).toBe(403);
    expect((refused as Error).message).toBe('presence: refused 403');
  });
});
