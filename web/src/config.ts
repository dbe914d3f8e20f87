// Runtime configuration, read from /config.json beside the app (written by Terraform in AWS,
// by `make local` on this machine), so that one build serves every environment.

export interface AppConfig {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** Only on the local platform: where Cognito answers instead of cognito-idp.<region>. */
  userPoolEndpoint?: string;
  /** The Event API's HTTP publish URL (https://<host>/event). */
  eventsEndpoint: string;
  /** GET the signed-in user's report history here. */
  reportsUrl: string;
  /** GET the user's saved answers here (?questionnaire=<id>; absent: not shown after a reload). */
  answersUrl?: string;
  /** GET a durable channel's kept events under here (absent: no history, no catch-up). */
  historyUrl?: string;
  /** POST/GET presence under here (absent: no presence, no count in the header). */
  presenceUrl?: string;
  /** The platform-wide channel the app enters on sign-in, e.g. /chat/answering. */
  presenceChannel?: string;
  questionnaireId: string;
}

export class ConfigError extends Error {}

const REQUIRED = [
  'region',
  'userPoolId',
  'userPoolClientId',
  'eventsEndpoint',
  'reportsUrl',
  'questionnaireId',
] as const;

function isUrl(value: string, schemes: string[]): boolean {
  try {
    return schemes.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The configuration in `raw`; ConfigError names every field that is missing or wrong. */
export function parseConfig(raw: unknown): AppConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('config.json must hold a JSON object');
  }
  const record = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of REQUIRED) {
    if (typeof record[key] !== 'string' || record[key] === '') {
      problems.push(`${key} is missing`);
    }
  }
  for (const key of ['eventsEndpoint', 'reportsUrl'] as const) {
    if (typeof record[key] === 'string' && !isUrl(record[key], ['https:', 'http:'])) {
      problems.push(`${key} is not a URL`);
    }
  }
  const answers = record.answersUrl;
  if (answers !== undefined && (typeof answers !== 'string' || !isUrl(answers, ['https:', 'http:']))) {
    problems.push('answersUrl is not a URL');
  }
  const history = record.historyUrl;
  if (history !== undefined && history !== null && (typeof history !== 'string' || !isUrl(history, ['https:', 'http:']))) {
    problems.push('historyUrl is not a URL');
  }
  if (history === null) delete record.historyUrl;
  const presence = record.presenceUrl;
  const channel = record.presenceChannel;
  if (presence === null || channel === null) {
    delete record.presenceUrl;
    delete record.presenceChannel;
  } else if (presence !== undefined || channel !== undefined) {
    if (typeof presence !== 'string' || !isUrl(presence, ['https:', 'http:'])) problems.push('presenceUrl is not a URL');
    if (typeof channel !== 'string' || !/^(\/[A-Za-z0-9-]{1,50}){2,5}$/.test(channel)) {
      problems.push('presenceChannel is not a channel path (/namespace/segment...)');
    }
  }
  const endpoint = record.userPoolEndpoint;
  if (endpoint !== undefined && (typeof endpoint !== 'string' || !isUrl(endpoint, ['https:', 'http:']))) {
    problems.push('userPoolEndpoint is not a URL');
  }
  if (problems.length > 0) {
    throw new ConfigError(`config.json: ${problems.join('; ')}`);
  }
  return record as unknown as AppConfig;
}

export async function loadConfig(fetcher: typeof fetch = fetch): Promise<AppConfig> {
  const response = await fetcher('/config.json', { cache: 'no-store' });
  if (!response.ok) {
    throw new ConfigError(`config.json could not be read (HTTP ${response.status})`);
  }
  return parseConfig(await response.json());
}
