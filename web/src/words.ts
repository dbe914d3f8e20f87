// Errors in plain words: what happened and what to do, never a stack trace or an error code.

const KNOWN: Record<string, string> = {
  NotAuthorizedException: 'That e-mail address and password do not match. Check both and try again.',
  UserNotFoundException: 'That e-mail address and password do not match. Check both and try again.',
  UserNotConfirmedException: 'Your account is not confirmed yet: enter the code we e-mailed you.',
  UsernameExistsException: 'An account with this e-mail address exists already: sign in instead.',
  InvalidPasswordException:
    'Choose a longer password: at least 12 characters with upper- and lower-case letters and a digit.',
  InvalidParameterException: 'Something in the form is not valid: check each field.',
  CodeMismatchException: 'That code is not the one we sent. Check it and try again.',
  ExpiredCodeException: 'That code has expired: ask for a new one.',
  LimitExceededException: 'Too many attempts. Wait a few minutes, then try again.',
  TooManyRequestsException: 'Too many attempts. Wait a few minutes, then try again.',
  NetworkError: 'The platform cannot be reached. Check your connection and try again.',
  EmptySignInUsername: 'Enter your e-mail address.',
  EmptySignInPassword: 'Enter your password.',
  EmptySignUpUsername: 'Enter your e-mail address.',
  EmptySignUpPassword: 'Choose a password.',
};

export function inWords(error: unknown): string {
  if (error && typeof error === 'object') {
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name in KNOWN) return KNOWN[name];
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && /fetch|network/i.test(message)) return KNOWN.NetworkError;
    if (typeof message === 'string' && message !== '') return message;
  }
  return 'Something went wrong. Try again in a moment.';
}
