// The questionnaire app: sign up / sign in, answer, watch the report change live, history.
import './styles.css';
import { AnswerBook, monthsValue, publishError, type AnswerState } from './answers';
import { ConfigError, loadConfig, type AppConfig } from './config';
import {
  auth,
  configure,
  currentSession,
  fetchHistory,
  fetchSavedAnswers,
  onLinkState,
  publishAnswer,
  watchOccupancy,
  watchReports,
  type LinkState,
  type Session,
} from './platform';
import { occupancyWords } from './presence';
import { questionnaire, type AnswerValue, type Question, type Questionnaire } from './questionnaire';
import { h, mergeReports, renderHistoryItem, renderReport, renderSummary, updatedAgo, type Report } from './report';
import { inWords } from './words';

const app = document.getElementById('app') as HTMLElement;
const status = document.getElementById('link-state') as HTMLElement;
const account = document.getElementById('account') as HTMLElement;
const occupancy = document.getElementById('occupancy') as HTMLElement;

const LINK_WORDS: Record<LinkState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

function showOccupancy(count: number | null): void {
  occupancy.hidden = count === null;
  occupancy.textContent = count === null ? '' : occupancyWords(count);
}

function showLink(state: LinkState | 'signed-out'): void {
  status.dataset.state = state;
  status.textContent = state === 'signed-out' ? 'Not signed in' : LINK_WORDS[state];
}

function field(label: string, input: HTMLInputElement, hint?: string): HTMLElement {
  const id = input.id;
  const hintId = hint ? `${id}-hint` : '';
  if (hint) input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('p', { id: hintId, class: 'hint' }, hint) : null);
}

function input(id: string, type: string, autocomplete: string, extra: Record<string, string> = {}): HTMLInputElement {
  return h('input', { id, name: id, type, autocomplete, required: '', ...extra }) as HTMLInputElement;
}

function alertBox(): HTMLElement {
  return h('p', { class: 'error', role: 'alert', 'aria-live': 'assertive' });
}

function focusFirst(container: HTMLElement): void {
  const target = container.querySelector<HTMLElement>('h1, h2, input, button');
  target?.focus();
}

// --- signed out ---------------------------------------------------------------------------

/** What the app is for, in one sentence, where a newcomer lands. */
export const ABOUT =
  'Answer a few questions about how you protect your accounts and devices, and watch your security report update as you answer.';

type AuthView = 'sign-in' | 'sign-up' | 'confirm' | 'reset' | 'reset-confirm' | 'totp';

function renderAuth(config: AppConfig, view: AuthView, email = '', notice = ''): void {
  showLink('signed-out');
  showOccupancy(null);
  account.replaceChildren();
  const error = alertBox();
  const form = h('form', { class: 'card auth', novalidate: '' }) as HTMLFormElement;
  const title = h('h2', { tabindex: '-1' });
  const emailInput = input('email', 'email', 'username', { value: email });
  const passwordInput = input('password', 'password', view === 'sign-up' ? 'new-password' : 'current-password');
  const codeInput = input('code', 'text', 'one-time-code', { inputmode: 'numeric' });
  const links = h('p', { class: 'links' });
  const link = (text: string, to: AuthView) => {
    const button = h('button', { type: 'button', class: 'link' }, text);
    button.addEventListener('click', () => renderAuth(config, to, emailInput.value));
    return button;
  };
  let submit = 'Sign in';
  let run: () => Promise<void>;

  switch (view) {
    case 'sign-in':
      title.textContent = 'Sign in';
      form.append(field('E-mail address', emailInput), field('Password', passwordInput));
      links.append(link('Create an account', 'sign-up'), link('Forgot your password?', 'reset'));
      run = async () => {
        const result = await auth.signIn(emailInput.value.trim(), passwordInput.value);
        const step = result.nextStep.signInStep;
        if (step === 'CONFIRM_SIGN_UP') return renderAuth(config, 'confirm', emailInput.value, 'Enter the code we e-mailed you.');
        if (step === 'CONFIRM_SIGN_IN_WITH_TOTP_CODE') return renderAuth(config, 'totp', emailInput.value);
        if (step !== 'DONE') throw new Error(`This account needs a step this app does not offer yet (${step}).`);
        await startSession(config);
      };
      break;
    case 'sign-up':
      title.textContent = 'Create an account';
      submit = 'Create account';
      form.append(
        field('E-mail address', emailInput),
        field('Password', passwordInput, 'At least 12 characters, with upper- and lower-case letters and a digit.'),
      );
      links.append(link('I have an account', 'sign-in'));
      run = async () => {
        const result = await auth.signUp(emailInput.value.trim(), passwordInput.value);
        if (result.nextStep.signUpStep === 'DONE') return renderAuth(config, 'sign-in', emailInput.value, 'Account created: sign in.');
        renderAuth(config, 'confirm', emailInput.value, 'We e-mailed you a code: enter it to confirm your account.');
      };
      break;
    case 'confirm':
      title.textContent = 'Confirm your account';
      submit = 'Confirm';
      form.append(field('E-mail address', emailInput), field('Confirmation code', codeInput));
      links.append(link('Back to sign in', 'sign-in'));
      run = async () => {
        await auth.confirmSignUp(emailInput.value.trim(), codeInput.value.trim());
        renderAuth(config, 'sign-in', emailInput.value, 'Account confirmed: sign in.');
      };
      break;
    case 'totp':
      title.textContent = 'Enter your authenticator code';
      submit = 'Continue';
      form.append(field('Six-digit code', codeInput));
      run = async () => {
        const result = await auth.confirmTotp(codeInput.value.trim());
        if (result.nextStep.signInStep !== 'DONE') throw new Error('That code was not accepted.');
        await startSession(config);
      };
      break;
    case 'reset':
      title.textContent = 'Reset your password';
      submit = 'Send me a code';
      form.append(field('E-mail address', emailInput));
      links.append(link('Back to sign in', 'sign-in'));
      run = async () => {
        await auth.resetPassword(emailInput.value.trim());
        renderAuth(config, 'reset-confirm', emailInput.value, 'If the address has an account, we e-mailed it a code.');
      };
      break;
    case 'reset-confirm':
      title.textContent = 'Choose a new password';
      submit = 'Set password';
      form.append(
        field('E-mail address', emailInput),
        field('Code from the e-mail', codeInput),
        field('New password', input('password', 'password', 'new-password')),
      );
      links.append(link('Back to sign in', 'sign-in'));
      run = async () => {
        const password = form.querySelector<HTMLInputElement>('#password')?.value ?? '';
        await auth.confirmResetPassword(emailInput.value.trim(), codeInput.value.trim(), password);
        renderAuth(config, 'sign-in', emailInput.value, 'Password changed: sign in with it.');
      };
      break;
  }

  const button = h('button', { type: 'submit', class: 'primary' }, submit) as HTMLButtonElement;
  const about = view === 'sign-in' || view === 'sign-up' ? h('p', { class: 'lead', 'data-testid': 'about' }, ABOUT) : '';
  form.prepend(title, about, notice ? h('p', { class: 'notice', role: 'status' }, notice) : '', error);
  form.append(button, links);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    run()
      .catch((problem: unknown) => {
        error.textContent = inWords(problem);
      })
      .finally(() => {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      });
  });
  app.replaceChildren(form);
  title.focus();
}

// --- signed in ------------------------------------------------------------------------------

interface Screen {
  /** The compact score line that stays in view while answering (phones). */
  summary?: HTMLElement;
  config: AppConfig;
  session: Session;
  questionnaire: Questionnaire;
  book: AnswerBook;
  reports: Report[];
  cursor: string | null;
  stop: (() => void | Promise<void>)[];
  /** Each question's redraw (status line and control), by question id. */
  redraw: Map<string, () => void>;
}

function answerStatus(state: AnswerState): string {
  switch (state.state) {
    case 'unanswered':
      return '';
    case 'sending':
      return 'Saving…';
    case 'saved':
      return 'Saved';
    case 'rejected':
      return `Not saved: ${state.error}`;
  }
}

function renderQuestion(screen: Screen, question: Question, index: number): HTMLElement {
  const statusLine = h('p', { class: 'answer-status', id: `status-${question.id}`, 'aria-live': 'polite' });
  const fieldset = h(
    'fieldset',
    { class: 'question', 'data-question': question.id, 'aria-describedby': `status-${question.id}` },
    h('legend', {}, h('span', { class: 'number' }, `${index + 1}.`), ' ', question.text, ' ', h('span', { class: 'weight' }, `(${question.weight} points)`)),
  );
  const update = () => {
    const state = screen.book.state(question.id);
    statusLine.textContent = answerStatus(state);
    statusLine.className = `answer-status ${state.state}`;
    fieldset.dataset.state = state.state;
    // The control shows the answer held (a saved one from before included), not only a click.
    if (state.state === 'unanswered') return;
    for (const radio of fieldset.querySelectorAll<HTMLInputElement>('input[type="radio"]')) {
      radio.checked = radio.value === String(state.value);
    }
    const box = fieldset.querySelector<HTMLInputElement>('form.months input');
    if (box && document.activeElement !== box) box.value = String(state.value);
  };
  screen.redraw.set(question.id, update);
  const send = (value: AnswerValue) => {
    const payload = screen.book.begin(question.id, value);
    update();
    publishAnswer(screen.session.userId, payload)
      .then((failed) => {
        if (failed) screen.book.rejected(question.id, publishError(failed));
        else screen.book.saved(question.id);
      })
      .catch((problem: unknown) => screen.book.rejected(question.id, inWords(problem)))
      .finally(update);
  };
  if (question.kind === 'months') {
    const id = `answer-${question.id}`;
    const box = input(id, 'text', 'off', { inputmode: 'numeric', required: '' });
    box.removeAttribute('required');
    const save = h('button', { type: 'submit' }, 'Save answer');
    const form = h('form', { class: 'months' }, h('label', { for: id }, 'Months'), box, save);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      send(monthsValue(box.value));
    });
    fieldset.append(form);
  } else {
    const group = h('div', { class: 'choices' });
    for (const choice of question.choices ?? []) {
      const id = `answer-${question.id}-${String(choice.value)}`;
      const radio = h('input', { type: 'radio', id, name: `answer-${question.id}`, value: String(choice.value) }) as HTMLInputElement;
      radio.addEventListener('change', () => send(choice.value));
      group.append(h('div', { class: 'choice' }, radio, h('label', { for: id }, choice.label)));
    }
    fieldset.append(group);
  }
  fieldset.append(statusLine);
  update();
  return fieldset;
}

function renderCard(screen: Screen, slot: HTMLElement): void {
  const latest = screen.reports[0];
  screen.summary?.replaceChildren(...renderSummary(latest));
  if (!latest) {
    slot.replaceChildren(h('p', { class: 'empty' }, 'Answer a question: your report appears here as soon as it is ready.'));
    return;
  }
  slot.replaceChildren(renderReport(latest, questionnaire(latest.questionnaireId), new Date()));
}

function renderHistory(screen: Screen, list: HTMLElement, more: HTMLButtonElement): void {
  list.replaceChildren(...screen.reports.map(renderHistoryItem));
  if (screen.reports.length === 0) list.append(h('li', { class: 'empty' }, 'No reports yet.'));
  more.hidden = screen.cursor === null;
}

async function startSession(config: AppConfig): Promise<void> {
  const session = await currentSession();
  if (!session) return renderAuth(config, 'sign-in');
  const form = questionnaire(config.questionnaireId);
  const screen: Screen = {
    config,
    session,
    questionnaire: form,
    book: new AnswerBook(form),
    reports: [],
    cursor: null,
    stop: [],
    redraw: new Map(),
  };

  const signOutButton = h('button', { type: 'button', class: 'link' }, 'Sign out');
  account.replaceChildren(h('span', { class: 'who' }, session.username), ' ', signOutButton);
  // Sign out works from the moment the button shows, while the page is still connecting too:
  // what is running is stopped, and what starts later is stopped as soon as it has started.
  let signedOut = false;
  const keep = (stop: () => void | Promise<void>) => {
    if (signedOut) void Promise.resolve(stop()).catch(() => undefined);
    else screen.stop.push(stop);
  };
  signOutButton.addEventListener('click', () => {
    if (signedOut) return;
    signedOut = true;
    // Stopped first, while the session holds a token: leaving presence needs one.
    Promise.allSettled(screen.stop.splice(0).map(async (stop) => stop()))
      .then(() => auth.signOut())
      .catch(() => undefined)
      .finally(() => renderAuth(config, 'sign-in', '', 'You are signed out.'));
  });

  const card = h('div', { class: 'card-slot', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const historyList = h('ol', { class: 'history', 'aria-label': 'Reports received before' });
  const more = h('button', { type: 'button' }, 'Show older reports') as HTMLButtonElement;
  const historyError = alertBox();
  const pageError = alertBox();

  const heading = h('h2', { tabindex: '-1' }, 'Your security check');
  screen.summary = h('p', { class: 'summary', 'data-testid': 'summary', 'aria-hidden': 'true' });
  screen.summary.replaceChildren(...renderSummary(undefined));
  app.replaceChildren(
    h(
      'div',
      { class: 'layout' },
      h(
        'section',
        { class: 'card questions', 'aria-labelledby': 'questions-title' },
        heading,
        screen.summary,
        h('p', { id: 'questions-title', class: 'lead' }, 'Answer each question; your report updates as you go. You can change an answer at any time.'),
        pageError,
        ...form.questions.map((q, i) => renderQuestion(screen, q, i)),
      ),
      h(
        'div',
        { class: 'side' },
        h('section', { class: 'card', 'aria-labelledby': 'report-title' }, h('h2', { id: 'report-title' }, 'Your report'), card),
        h('section', { class: 'card', 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title' }, 'History'), historyError, historyList, more),
      ),
    ),
  );
  heading.focus();

  const loadPage = async () => {
    historyError.textContent = '';
    try {
      const page = await fetchHistory(config.reportsUrl, screen.cursor);
      screen.reports = mergeReports(screen.reports, page.items);
      screen.cursor = page.nextCursor;
    } catch (problem) {
      historyError.textContent = inWords(problem);
    }
    renderHistory(screen, historyList, more);
    renderCard(screen, card);
  };
  more.addEventListener('click', () => void loadPage());

  showLink('connecting');
  keep(onLinkState(showLink));
  try {
    keep(
      await watchReports(
        session.userId,
        config.historyUrl,
        (report) => {
          screen.reports = mergeReports(screen.reports, [report]);
          renderCard(screen, card);
          renderHistory(screen, historyList, more);
        },
        (problem) => {
          pageError.textContent = `Live updates stopped: ${inWords(problem)} Reload the page to try again.`;
        },
      ),
    );
  } catch (problem) {
    showLink('offline');
    pageError.textContent = `Live updates are not available: ${inWords(problem)}`;
  }
  await loadPage();

  if (config.answersUrl) {
    // What this person answered before, on this device or another: shown as saved.
    try {
      for (const saved of await fetchSavedAnswers(config.answersUrl, form.id)) {
        if (screen.book.restore(saved.questionId, saved.value)) screen.redraw.get(saved.questionId)?.();
      }
    } catch (problem) {
      pageError.textContent = inWords(problem);
    }
  }

  if (signedOut) return; // nothing more to start: no presence to enter, no clock to tick
  if (config.presenceUrl && config.presenceChannel) {
    // Who else is answering: a count in the header. Without it the app works the same.
    try {
      keep(
        await watchOccupancy(config.presenceUrl, config.presenceChannel, showOccupancy, (problem) =>
          console.warn('presence:', inWords(problem)),
        ),
      );
    } catch (problem) {
      showOccupancy(null);
      console.warn('presence is not available:', inWords(problem));
    }
  }

  // Keep "updated just now" true as time passes.
  const ticker = window.setInterval(() => {
    const updated = card.querySelector('[data-testid="updated"]');
    if (updated && screen.reports[0]) updated.textContent = updatedAgo(screen.reports[0].generatedAt, new Date());
  }, 15000);
  keep(() => window.clearInterval(ticker));
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = await loadConfig();
  } catch (problem) {
    const words = problem instanceof ConfigError ? problem.message : inWords(problem);
    app.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The app is not configured: ${words}`));
    return;
  }
  configure(config);
  if (await currentSession()) {
    await startSession(config);
  } else {
    renderAuth(config, 'sign-in');
  }
  focusFirst(app);
}

void main();
