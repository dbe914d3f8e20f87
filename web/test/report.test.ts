import { describe, expect, it } from 'vitest';
import { isReport, mergeReports, noFindings, renderHistoryItem, renderReport, renderSummary, updatedAgo, type Report } from '../src/report';
import { questionnaire } from '../src/questionnaire';

const form = questionnaire('account-security.v1');
const NOW = new Date('2026-11-23T12:00:00Z');

function report(overrides: Partial<Report> = {}): Report {
  return {
    reportId: 'r-47',
    userId: 'u-1',
    questionnaireId: 'account-security.v1',
    score: 47,
    level: 'high',
    answered: 4,
    total: 7,
    pending: ['password-manager', 'updates', 'disk-encryption'],
    findings: [
      { questionId: 'password-reuse', severity: 'high', title: 'Passwords are reused', recommendation: 'Use one per account.' },
      { questionId: 'phishing-training', severity: 'medium', title: 'Phishing training is out of date', recommendation: 'Yearly.' },
      { questionId: 'backups', severity: 'low', title: 'Backups are rare or missing', recommendation: 'Daily.' },
    ],
    generatedAt: '2026-11-23T11:59:50Z',
    ...overrides,
  };
}

describe('renderReport', () => {
  it('shows the score, level, findings in order and the pending questions by their text', () => {
    const card = renderReport(report(), form, NOW);
    expect(card.querySelector('[data-testid=score]')?.textContent).toBe('47');
    expect(card.querySelector('[data-testid=level]')?.textContent).toBe('High risk');
    expect(card.querySelector('[data-testid=updated]')?.textContent).toBe('updated just now');
    expect([...card.querySelectorAll('.finding')].map((f) => f.getAttribute('data-question'))).toEqual([
      'password-reuse',
      'phishing-training',
      'backups',
    ]);
    expect(card.querySelector('.pending summary')?.textContent).toBe('3 questions not answered yet');
    expect(card.querySelector('.pending li')?.textContent).toBe('Do you keep your passwords in a password manager?');
  });

  it('never turns report text into markup', () => {
    const evil = report({
      findings: [{ questionId: 'mfa', severity: 'critical', title: '<img src=x onerror=alert(1)>', recommendation: '<b>x</b>' }],
    });
    const card = renderReport(evil, form, NOW);
    expect(card.querySelector('img')).toBeNull();
    expect(card.querySelector('.finding strong')?.textContent).toBe('<img src=x onerror=alert(1)>');
  });

  it('says so when there are no findings and nothing is pending', () => {
    const card = renderReport(report({ score: 100, level: 'low', findings: [], pending: [] }), form, NOW);
    expect(card.querySelector('.no-findings')?.textContent).toBe('No findings: every answer earned full credit.');
    expect(card.querySelector('.pending')).toBeNull();
  });

  it('never claims full credit beside a low score: it names what is missing', () => {
    const early = report({ score: 25, level: 'critical', answered: 1, findings: [], pending: ['a', 'b', 'c', 'd', 'e', 'f'] });
    const text = renderReport(early, form, NOW).querySelector('.no-findings')?.textContent ?? '';
    expect(text).not.toContain('full credit');
    expect(text).toBe('No findings in your answers so far; the 6 questions not answered yet count against the score.');
    expect(noFindings(report({ findings: [], pending: ['a'] }))).toContain('the 1 question not answered yet counts against');
  });
});

describe('renderSummary', () => {
  it('is the score, the level and how far along, in a few words', () => {
    const line = renderSummary(report()).map((e) => e.textContent);
    expect(line).toEqual(['47 / 100', 'High risk', '4 of 7 answered']);
  });

  it('says what to do before any report', () => {
    expect(renderSummary(undefined).map((e) => e.textContent)).toEqual(['Your report appears as soon as you answer.']);
  });
});

describe('updatedAgo', () => {
  it('counts from the report time', () => {
    expect(updatedAgo('2026-11-23T11:59:30Z', NOW)).toBe('updated just now');
    expect(updatedAgo('2026-11-23T11:59:00Z', NOW)).toBe('updated 1 minute ago');
    expect(updatedAgo('2026-11-23T11:45:00Z', NOW)).toBe('updated 15 minutes ago');
    expect(updatedAgo('2026-11-23T09:00:00Z', NOW)).toBe('updated 3 hours ago');
  });
});

describe('history', () => {
  it('merges live and stored reports: each once, newest first', () => {
    const older = report({ reportId: 'a', generatedAt: '2026-11-23T10:00:00Z' });
    const newer = report({ reportId: 'b', generatedAt: '2026-11-23T11:00:00Z' });
    expect(mergeReports([older], [newer, older]).map((r) => r.reportId)).toEqual(['b', 'a']);
  });

  it('renders a row with score, level and findings', () => {
    const row = renderHistoryItem(report());
    expect(row.querySelector('.history-score')?.textContent).toBe('47 / 100');
    expect(row.querySelector('.history-findings')?.textContent).toBe('3 findings');
    expect(row.querySelector('time')?.getAttribute('datetime')).toBe('2026-11-23T11:59:50Z');
  });

  it('recognises reports and nothing else', () => {
    expect(isReport(report())).toBe(true);
    expect(isReport({ ...report(), level: 'severe' })).toBe(false);
    expect(isReport({ text: 'hello' })).toBe(false);
  });
});
