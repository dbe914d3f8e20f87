// The report card and the history list: what a report says, rendered with text nodes only
// (a report's strings never become markup).
import type { Questionnaire } from './questionnaire';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface Finding {
  questionId: string;
  severity: Severity;
  title: string;
  recommendation: string;
}

export interface Report {
  reportId: string;
  userId: string;
  questionnaireId: string;
  score: number;
  level: Severity;
  answered: number;
  total: number;
  pending: string[];
  findings: Finding[];
  generatedAt: string;
}

export const LEVEL_WORDS: Record<Severity, string> = {
  low: 'Low risk',
  medium: 'Medium risk',
  high: 'High risk',
  critical: 'Critical risk',
};

export function isReport(value: unknown): value is Report {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.reportId === 'string' &&
    typeof r.score === 'number' &&
    typeof r.level === 'string' &&
    r.level in LEVEL_WORDS &&
    Array.isArray(r.findings) &&
    Array.isArray(r.pending) &&
    typeof r.generatedAt === 'string'
  );
}

/** "updated just now", "updated 3 minutes ago", ... */
export function updatedAgo(generatedAt: string, now: Date): string {
  const seconds = Math.max(0, (now.getTime() - new Date(generatedAt).getTime()) / 1000);
  if (seconds < 60) return 'updated just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `updated ${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `updated ${hours} hour${hours === 1 ? '' : 's'} ago`;
  return `updated on ${new Date(generatedAt).toLocaleDateString()}`;
}

type Child = Node | string | null | undefined | false;

export function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

function questionText(questionnaire: Questionnaire, id: string): string {
  return questionnaire.questions.find((q) => q.id === id)?.text ?? id;
}

/** What an empty findings list means: full credit only when nothing is pending; otherwise the
 * score is low for the questions not answered yet, and the card says so. */
export function noFindings(report: Report): string {
  const left = report.pending.length;
  if (left === 0) return 'No findings: every answer earned full credit.';
  return `No findings in your answers so far; the ${left} question${left === 1 ? '' : 's'} not answered yet count${left === 1 ? 's' : ''} against the score.`;
}

/** The compact line that stays on screen while answering: score, level, how far along. */
export function renderSummary(report: Report | undefined): HTMLElement[] {
  if (!report) return [h('span', {}, 'Your report appears as soon as you answer.')];
  return [
    h('span', { class: 'summary-score' }, `${report.score} / 100`),
    h('span', { class: `badge level-${report.level}` }, LEVEL_WORDS[report.level]),
    h('span', { class: 'summary-answered' }, `${report.answered} of ${report.total} answered`),
  ];
}

/** The card of one report: score, level, findings with recommendations, pending questions. */
export function renderReport(report: Report, questionnaire: Questionnaire, now: Date): HTMLElement {
  const findings = report.findings.length
    ? h(
        'ol',
        { class: 'findings' },
        ...report.findings.map((f) =>
          h(
            'li',
            { class: `finding severity-${f.severity}`, 'data-question': f.questionId },
            h('span', { class: `badge severity-${f.severity}` }, f.severity),
            ' ',
            h('strong', {}, f.title),
            h('p', {}, f.recommendation),
          ),
        ),
      )
    : h('p', { class: 'no-findings' }, noFindings(report));
  const pending = report.pending.length
    ? h(
        'details',
        { class: 'pending' },
        h('summary', {}, `${report.pending.length} question${report.pending.length === 1 ? '' : 's'} not answered yet`),
        h('ul', {}, ...report.pending.map((id) => h('li', {}, questionText(questionnaire, id)))),
      )
    : null;
  return h(
    'article',
    { class: `report level-${report.level}`, 'data-report-id': report.reportId },
    h(
      'div',
      { class: 'score-line' },
      h('span', { class: 'score', 'data-testid': 'score' }, String(report.score)),
      h('span', { class: 'out-of' }, '/ 100'),
      h('span', { class: `badge level level-${report.level}`, 'data-testid': 'level' }, LEVEL_WORDS[report.level]),
    ),
    h('p', { class: 'answered' }, `${report.answered} of ${report.total} questions answered`),
    h('p', { class: 'updated', 'data-testid': 'updated' }, updatedAgo(report.generatedAt, now)),
    h('h3', {}, 'Findings'),
    findings,
    pending,
  );
}

/** One row of the history list. */
export function renderHistoryItem(report: Report): HTMLElement {
  const when = new Date(report.generatedAt);
  return h(
    'li',
    { class: 'history-item', 'data-report-id': report.reportId },
    h('time', { datetime: report.generatedAt }, when.toLocaleString()),
    ' ',
    h('span', { class: 'history-score' }, `${report.score} / 100`),
    ' ',
    h('span', { class: `badge level-${report.level}` }, LEVEL_WORDS[report.level]),
    ' ',
    h('span', { class: 'history-findings' }, `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}`),
  );
}

/** History and live reports merged: each report once, newest first. */
export function mergeReports(known: Report[], incoming: Report[]): Report[] {
  const byId = new Map<string, Report>();
  for (const report of [...known, ...incoming]) byId.set(report.reportId, report);
  return [...byId.values()].sort((a, b) => b.generatedAt.localeCompare(a.generatedAt));
}
