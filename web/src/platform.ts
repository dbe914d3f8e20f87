// The platform, through AWS's Amplify library: Cognito sign-in (SRP) and the Event API.
// No WebSocket client or SRP of our own.
import { Amplify } from 'aws-amplify';
import {
  confirmResetPassword,
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  getCurrentUser,
  resetPassword,
  signIn,
  signOut,
  signUp,
} from 'aws-amplify/auth';
import { CONNECTION_STATE_CHANGE, ConnectionState, events } from 'aws-amplify/data';
import { Hub } from 'aws-amplify/utils';
import type { AnswerPayload } from './answers';
import type { AppConfig } from './config';
import { Merge, serialised, type KeptEvent } from './durable';
import { Members, Membership } from './presence';
import type { AnswerValue } from './questionnaire';
import { isReport, type Report } from './report';

export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export function configure(config: AppConfig): void {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: config.userPoolId,
        userPoolClientId: config.userPoolClientId,
        ...(config.userPoolEndpoint ? { userPoolEndpoint: config.userPoolEndpoint } : {}),
        loginWith: { email: true },
        signUpVerificationMethod: 'code',
      },
    },
    API: {
      Events: {
        endpoint: config.eventsEndpoint,
        region: config.region,
        defaultAuthMode: 'userPool',
      },
    },
  });
}

/** Amplify's WebSocket states in the three words the header shows. */
export function linkState(state: string): LinkState {
  switch (state) {
    case ConnectionState.Connected:
      return 'live';
    case ConnectionState.Connecting:
      return 'connecting';
    case ConnectionState.ConnectedPendingDisconnect:
      return 'live'; // closing an idle socket on purpose
    case ConnectionState.Disconnected:
      return 'offline';
    default:
      // ConnectionDisrupted, ConnectionDisruptedPendingNetwork, ConnectedPendingNetwork,
      // ConnectedPendingKeepAlive: the link is in doubt; Amplify reconnects and subscribes
      // again by itself.
      return 'reconnecting';
  }
}

export function onLinkState(listener: (state: LinkState) => void): () => void {
  return Hub.listen('api', ({ payload }) => {
    if (payload.event === CONNECTION_STATE_CHANGE) {
      const data = payload.data as { connectionState: string };
      listener(linkState(data.connectionState));
    }
  });
}

export interface Session {
  userId: string;
  username: string;
}

export async function currentSession(): Promise<Session | null> {
  try {
    const user = await getCurrentUser();
    return { userId: user.userId, username: user.signInDetails?.loginId ?? user.username };
  } catch {
    return null;
  }
}

export const auth = {
  signIn: (username: string, password: string) => signIn({ username, password }),
  confirmTotp: (code: string) => confirmSignIn({ challengeResponse: code }),
  signUp: (email: string, password: string) =>
    signUp({ username: email, password, options: { userAttributes: { email } } }),
  confirmSignUp: (email: string, code: string) => confirmSignUp({ username: email, confirmationCode: code }),
  resetPassword: (email: string) => resetPassword({ username: email }),
  confirmResetPassword: (email: string, code: string, newPassword: string) =>
    confirmResetPassword({ username: email, confirmationCode: code, newPassword }),
  signOut: () => signOut(),
};

/**
 * Subscribe to the user's report channel; `onReport` gets each report as it comes, once, in
 * the order the platform numbered them. With `historyUrl` (a durable channel), what the
 * channel kept is read after the subscription is in place, after a jump in `seq`, and after
 * every reconnect (Amplify reconnects and subscribes again by itself), so a report published
 * while the connection was down is shown when it is back.
 */
export async function watchReports(
  userId: string,
  historyUrl: string | undefined,
  onReport: (report: Report) => void,
  onError: (error: unknown) => void,
): Promise<() => void> {
  const path = `/reports/${userId}`;
  const merge = new Merge();
  const show = (due: unknown[]) => due.filter(isReport).forEach(onReport);
  const catchUp = serialised(async () => {
    if (!historyUrl) return;
    try {
      show(merge.fill(await fetchChannelHistory(historyUrl, path, merge.last)));
    } catch (problem) {
      onError(problem);
    }
  });
  const channel = await events.connect(path);
  const subscription = channel.subscribe({
    next: (message: { event?: unknown }) => {
      const { due, gap } = merge.offer(message.event);
      show(due);
      if (gap) void catchUp();
    },
    error: onError,
  });
  let interrupted = false;
  const stopListening = onLinkState((state) => {
    if (state === 'reconnecting' || state === 'offline') interrupted = true;
    if (state === 'live' && interrupted) {
      interrupted = false;
      void catchUp();
    }
  });
  void catchUp();
  return () => {
    stopListening();
    subscription.unsubscribe();
    void channel.close();
  };
}

async function accessToken(): Promise<string> {
  const session = await fetchAuthSession();
  const token = session.tokens?.accessToken?.toString();
  if (!token) throw new Error('you are signed out: sign in again');
  return token;
}

/**
 * Be present on `channel` and report how many are (`onCount`, first once the members are
 * read, then at each enter and leave announced on /presence<channel>). The members are read
 * again after every reconnect, when announcements may have been missed. The returned stop
 * leaves; a page that goes away leaves with a request that outlives it.
 */
export async function watchOccupancy(
  presenceUrl: string,
  channel: string,
  onCount: (count: number) => void,
  onProblem: (problem: unknown) => void,
): Promise<() => Promise<void>> {
  const membership = new Membership(presenceUrl, channel, accessToken, onProblem);
  const members = new Members();
  const report = () => {
    if (members.count !== null) onCount(members.count);
  };
  const read = serialised(async () => {
    members.reading();
    try {
      members.snapshot(await membership.members());
      report();
    } catch (problem) {
      members.snapshot([]);
      onProblem(problem);
    }
  });
  const announcements = await events.connect(`/presence${channel}`);
  const subscription = announcements.subscribe({
    next: (message: { event?: unknown }) => {
      if (members.offer(message.event)) report();
    },
    error: onProblem,
  });
  let interrupted = false;
  const stopListening = onLinkState((state) => {
    if (state === 'reconnecting' || state === 'offline') interrupted = true;
    if (state === 'live' && interrupted) {
      interrupted = false;
      void read();
    }
  });
  const goingAway = () => void membership.leave(true);
  window.addEventListener('pagehide', goingAway);
  const stop = () => {
    window.removeEventListener('pagehide', goingAway);
    stopListening();
    subscription.unsubscribe();
    void announcements.close();
    return membership.leave();
  };
  try {
    await membership.enter();
  } catch (problem) {
    void stop(); // nothing left open when the app cannot be present
    throw problem;
  }
  await read();
  return stop;
}

/** Everything a durable channel kept after `after`, page by page (GET <historyUrl><channel>). */
export async function fetchChannelHistory(historyUrl: string, channel: string, after: number): Promise<KeptEvent[]> {
  const token = await accessToken();
  const kept: KeptEvent[] = [];
  let query = `after=${after}&limit=100`;
  for (let page = 0; page < 50; page += 1) {
    const response = await fetch(`${historyUrl}${channel}?${query}`, { headers: { Authorization: `Bearer ${token}` } });
    const body = (await response.json().catch(() => ({}))) as { events?: KeptEvent[]; next?: string | null; message?: string };
    if (!response.ok) {
      throw new Error(`missed updates could not be read: ${body.message ?? `HTTP ${response.status}`}`);
    }
    kept.push(...(body.events ?? []));
    if (!body.next) return kept;
    query = `cursor=${encodeURIComponent(body.next)}&limit=100`;
  }
  return kept;
}

/** Publish one answer on the user's answers channel; the handler's refusal, if any. */
export async function publishAnswer(userId: string, answer: AnswerPayload): Promise<unknown[] | undefined> {
  const failed = await events.post(`/answers/${userId}`, { ...answer });
  return failed && failed.length > 0 ? failed : undefined;
}

export interface HistoryPage {
  items: Report[];
  nextCursor: string | null;
}

/** One page of the user's report history (GET /reports with the access token). */
export async function fetchHistory(reportsUrl: string, cursor: string | null, limit = 5): Promise<HistoryPage> {
  const session = await fetchAuthSession();
  const token = session.tokens?.accessToken?.toString();
  if (!token) throw new Error('you are signed out: sign in again to see your history');
  const url = new URL(reportsUrl);
  url.searchParams.set('limit', String(limit));
  if (cursor) url.searchParams.set('cursor', cursor);
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  const body = (await response.json().catch(() => ({}))) as { items?: unknown[]; nextCursor?: string | null; message?: string };
  if (!response.ok) {
    throw new Error(`the history could not be read: ${body.message ?? `HTTP ${response.status}`}`);
  }
  return { items: (body.items ?? []).filter(isReport), nextCursor: body.nextCursor ?? null };
}

/** An answer the platform stored for the signed-in user (GET /answers). */
export interface SavedAnswer {
  questionId: string;
  value: AnswerValue;
}

function isSavedAnswer(item: unknown): item is SavedAnswer {
  if (typeof item !== 'object' || item === null) return false;
  const { questionId, value } = item as Record<string, unknown>;
  return typeof questionId === 'string' && ['string', 'number', 'boolean'].includes(typeof value);
}

/** The signed-in user's saved answers to one questionnaire (GET <answersUrl>?questionnaire=<id>). */
export async function fetchSavedAnswers(answersUrl: string, questionnaireId: string): Promise<SavedAnswer[]> {
  const session = await fetchAuthSession();
  const token = session.tokens?.accessToken?.toString();
  if (!token) throw new Error('you are signed out: sign in again to see your answers');
  const url = new URL(answersUrl);
  url.searchParams.set('questionnaire', questionnaireId);
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  const body = (await response.json().catch(() => ({}))) as { answers?: unknown[]; message?: string };
  if (!response.ok) {
    throw new Error(`your saved answers could not be read: ${body.message ?? `HTTP ${response.status}`}`);
  }
  return (body.answers ?? []).filter(isSavedAnswer);
}
