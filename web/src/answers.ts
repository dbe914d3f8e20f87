// What the user has answered in this session, and what the platform said about each answer.
import type { AnswerValue, Question, Questionnaire } from './questionnaire';

export type AnswerState =
  | { state: 'unanswered' }
  | { state: 'sending'; value: AnswerValue }
  | { state: 'saved'; value: AnswerValue }
  | { state: 'rejected'; value: AnswerValue; error: string };

/** The payload published on /answers/<user id> (the channel handler's Answer model). */
export interface AnswerPayload {
  questionnaireId: string;
  questionId: string;
  value: AnswerValue;
}

export class AnswerBook {
  private readonly states = new Map<string, AnswerState>();

  constructor(readonly questionnaire: Questionnaire) {}

  state(questionId: string): AnswerState {
    return this.states.get(questionId) ?? { state: 'unanswered' };
  }

  /** The payload to publish for `value`, the question now waiting for the platform. */
  begin(questionId: string, value: AnswerValue): AnswerPayload {
    this.question(questionId);
    this.states.set(questionId, { state: 'sending', value });
    return { questionnaireId: this.questionnaire.id, questionId, value };
  }

  /**
   * An answer the platform holds from before (another visit, another device): shown as saved
   * unless this session has answered the question since. Unknown questions are ignored.
   */
  restore(questionId: string, value: AnswerValue): boolean {
    if (!this.questionnaire.questions.some((q) => q.id === questionId)) return false;
    if (this.state(questionId).state !== 'unanswered') return false;
    this.states.set(questionId, { state: 'saved', value });
    return true;
  }

  saved(questionId: string): void {
    const current = this.state(questionId);
    if (current.state === 'sending') {
      this.states.set(questionId, { state: 'saved', value: current.value });
    }
  }

  rejected(questionId: string, error: string): void {
    const current = this.state(questionId);
    if (current.state !== 'unanswered') {
      this.states.set(questionId, { state: 'rejected', value: current.value, error });
    }
  }

  /** Answers the platform holds: taken in this session, or restored from before. */
  savedCount(): number {
    return [...this.states.values()].filter((s) => s.state === 'saved').length;
  }

  question(questionId: string): Question {
    const found = this.questionnaire.questions.find((q) => q.id === questionId);
    if (!found) {
      throw new Error(`${questionId} is not a question of ${this.questionnaire.id}`);
    }
    return found;
  }
}

/**
 * The value a months answer is sent with: a number when the text is one, otherwise the text
 * as typed. The platform decides what it accepts (its error is shown next to the question),
 * so no rule of the service is repeated here.
 */
export function monthsValue(text: string): AnswerValue {
  const trimmed = text.trim();
  if (trimmed !== '' && /^\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed);
  }
  return text;
}

/** A failed item of an Event API publish answer, in words a person reads. */
export function publishError(failed: unknown): string {
  const items = Array.isArray(failed) ? failed : [failed];
  const messages = items
    // AWS's failed event: {identifier, index, errorCode, errorMessage} (the Swift client's FailedEvent).
    .map((item) => (item && typeof item === 'object' ? (item as { errorMessage?: unknown }).errorMessage : undefined))
    .filter((m): m is string => typeof m === 'string' && m !== '');
  return messages.length > 0 ? messages.join('; ') : 'the platform refused this answer';
}
