// How many people are answering right now: the app enters a platform-wide presence channel
// on sign-in (POST <presenceUrl><channel>, README "Presence"), beats at the interval the
// platform names, and leaves on sign-out or when the page goes away. The count is the
// channel's members, read once (GET) and kept current by the enter and leave announcements on
// /presence<channel>. Plain logic here; the Amplify subscription is in platform.ts.

export interface PresenceEvent {
  action: 'enter' | 'update' | 'leave';
  member: { id: string };
}

export function isPresenceEvent(value: unknown): value is PresenceEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as { action?: unknown; member?: { id?: unknown } | null };
  return (
    (event.action === 'enter' || event.action === 'update' || event.action === 'leave') &&
    typeof event.member === 'object' &&
    event.member !== null &&
    typeof event.member.id === 'string'
  );
}

/**
 * A channel's members: a snapshot, then each announcement in the order it was delivered.
 * Announcements delivered while a snapshot is read are held and applied after it: each sets a
 * member's state (present or not), so applying one the snapshot already reflects changes
 * nothing, and the last one delivered for a member is its state now.
 */
export class Members {
  private ids = new Set<string>();
  private held: PresenceEvent[] | null = null;
  private known = false;

  /** A snapshot is being read: hold announcements until it is in. */
  reading(): void {
    this.held = [];
  }

  snapshot(ids: string[]): void {
    this.ids = new Set(ids);
    this.known = true;
    const held = this.held ?? [];
    this.held = null;
    held.forEach((event) => this.apply(event));
  }

  /** Take an announcement; whether the count may have changed. */
  offer(event: unknown): boolean {
    if (!isPresenceEvent(event)) return false;
    if (this.held) {
      this.held.push(event);
      return false;
    }
    this.apply(event);
    return this.known;
  }

  /** The member count, or null before the first snapshot. */
  get count(): number | null {
    return this.known ? this.ids.size : null;
  }

  private apply(event: PresenceEvent): void {
    if (event.action === 'leave') this.ids.delete(event.member.id);
    else this.ids.add(event.member.id);
  }
}

export function occupancyWords(count: number): string {
  return count === 1 ? '1 person answering' : `${count} people answering`;
}

export class PresenceRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface Timers {
  setTimeout(handler: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

/**
 * The signed-in person's place in one channel's presence: enter, a heartbeat every interval
 * the platform names (entering again if it forgot the member: 409, a laptop that slept), leave.
 * A heartbeat that fails otherwise is tried at the next one; the member stays present for two
 * intervals meanwhile.
 */
export class Membership {
  private timer: number | null = null;
  private token = '';
  private left = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly tokenOf: () => Promise<string>,
    private readonly onProblem: (problem: unknown) => void,
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
    private readonly timers: Timers = window,
  ) {}

  async enter(): Promise<void> {
    const answer = await this.send('enter');
    this.schedule(answer.heartbeatSeconds);
  }

  /** GET the channel's members now: their ids. */
  async members(): Promise<string[]> {
    const body = await this.call('GET');
    return (body.members ?? []).map((member) => member.id);
  }

  /**
   * Leave: once, and no more heartbeats. `keepalive` for a page going away: the request
   * outlives the page, with the token already held (no await is possible then).
   */
  leave(keepalive = false): Promise<void> {
    if (this.left) return Promise.resolve();
    this.left = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    if (keepalive) {
      void this.fetcher(this.address(), this.request('POST', this.token, { action: 'leave' }, true)).catch(() => undefined);
      return Promise.resolve();
    }
    return this.send('leave').then(
      () => undefined,
      (problem: unknown) => this.onProblem(problem),
    );
  }

  private schedule(seconds: number): void {
    if (this.left) return;
    this.timer = this.timers.setTimeout(() => void this.beat(seconds), seconds * 1000);
  }

  private async beat(seconds: number): Promise<void> {
    let next = seconds;
    try {
      await this.send('heartbeat');
    } catch (problem) {
      if (problem instanceof PresenceRefused && problem.status === 409 && !this.left) {
        try {
          next = (await this.send('enter')).heartbeatSeconds;
        } catch (again) {
          this.onProblem(again);
        }
      } else {
        this.onProblem(problem);
      }
    }
    this.schedule(next);
  }

  private send(action: 'enter' | 'heartbeat' | 'leave'): Promise<{ heartbeatSeconds: number }> {
    return this.call('POST', { action }) as Promise<{ heartbeatSeconds: number }>;
  }

  private address(): string {
    return `${this.url}${this.channel}`;
  }

  private request(method: string, token: string, body?: unknown, keepalive = false): RequestInit {
    return {
      method,
      keepalive,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    };
  }

  private async call(
    method: string,
    body?: unknown,
  ): Promise<{ heartbeatSeconds: number; members?: { id: string }[]; message?: string }> {
    this.token = await this.tokenOf();
    const response = await this.fetcher(this.address(), this.request(method, this.token, body));
    const answer = (await response.json().catch(() => ({}))) as {
      heartbeatSeconds: number;
      members?: { id: string }[];
      message?: string;
    };
    if (!response.ok) {
      throw new PresenceRefused(`presence: ${answer.message ?? `HTTP ${response.status}`}`, response.status);
    }
    return answer;
  }
}
