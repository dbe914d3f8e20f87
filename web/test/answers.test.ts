import { describe, expect, it } from 'vitest';
import { AnswerBook, monthsValue, publishError } from '../src/answers';
import { questionnaire, QUESTIONNAIRES } from '../src/questionnaire';

const form = questionnaire('account-security.v1');

describe('the exported questionnaire', () => {
  it('is the security service questionnaire, weights adding up to 100', () => {
    expect(QUESTIONNAIRES.map((q) => q.id)).toContain('account-security.v1');
    expect(form.questions.reduce((sum, q) => sum + q.weight, 0)).toBe(100);
    expect(form.questions.find((q) => q.id === 'mfa')?.kind).toBe('yes-no');
  });

  it('refuses a questionnaire it does not know, naming the ones it does', () => {
    expect(() => questionnaire('nope.v9')).toThrow(/account-security.v1/);
  });
});

describe('AnswerBook', () => {
  it('moves an answer from sending to saved and counts it', () => {
    const book = new AnswerBook(form);
    expect(book.state('mfa')).toEqual({ state: 'unanswered' });
    const payload = book.begin('mfa', true);
    expect(payload).toEqual({ questionnaireId: 'account-security.v1', questionId: 'mfa', value: true });
    expect(book.state('mfa')).toEqual({ state: 'sending', value: true });
    book.saved('mfa');
    expect(book.state('mfa')).toEqual({ state: 'saved', value: true });
    expect(book.savedCount()).toBe(1);
  });

  it('restores a saved answer from before, unless this session answered since', () => {
    const book = new AnswerBook(form);
    expect(book.restore('mfa', true)).toBe(true);
    expect(book.state('mfa')).toEqual({ state: 'saved', value: true });
    book.begin('backups', 'weekly');
    expect(book.restore('backups', 'never')).toBe(false); // the newer answer stays
    expect(book.state('backups')).toEqual({ state: 'sending', value: 'weekly' });
    expect(book.restore('no-such-question', 1)).toBe(false);
    expect(book.savedCount()).toBe(1);
  });

  it('keeps the refusal next to the question, and a new answer replaces it', () => {
    const book = new AnswerBook(form);
    book.begin('phishing-training', '  ');
    book.rejected('phishing-training', 'value: String should have at least 1 character');
    expect(book.state('phishing-training')).toEqual({
      state: 'rejected',
      value: '  ',
      error: 'value: String should have at least 1 character',
    });
    expect(book.savedCount()).toBe(0);
    book.begin('phishing-training', 18);
    book.saved('phishing-training');
    expect(book.state('phishing-training')).toEqual({ state: 'saved', value: 18 });
  });

  it('does not mark a question saved that was never sent', () => {
    const book = new AnswerBook(form);
    book.saved('mfa');
    expect(book.state('mfa').state).toBe('unanswered');
  });

  it('refuses a question the questionnaire does not have', () => {
    expect(() => new AnswerBook(form).begin('shoe-size', 42)).toThrow(/not a question/);
  });
});

describe('monthsValue', () => {
  it('sends numbers as numbers and anything else as typed, for the platform to judge', () => {
    expect(monthsValue('18')).toBe(18);
    expect(monthsValue(' 6 ')).toBe(6);
    expect(monthsValue('1.5')).toBe(1.5);
    expect(monthsValue('   ')).toBe('   ');
    expect(monthsValue('soon')).toBe('soon');
  });
});

describe('publishError', () => {
  it('reads the messages of an Event API publish answer', () => {
    expect(publishError([{ identifier: 'a', index: 0, errorCode: 400, errorMessage: 'value: bad' }])).toBe('value: bad');
    expect(publishError([{}])).toBe('the platform refused this answer');
  });
});
