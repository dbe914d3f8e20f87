import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../src/config';

const GOOD = {
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_abc',
  userPoolClientId: 'client',
  eventsEndpoint: 'https://api.example.com/event',
  reportsUrl: 'https://http.example.com/reports',
  questionnaireId: 'account-security.v1',
};

describe('config.json', () => {
  it('accepts what Terraform writes, and the local endpoint make local adds', () => {
    expect(parseConfig(GOOD)).toEqual(GOOD);
    expect(parseConfig({ ...GOOD, userPoolEndpoint: 'http://127.0.0.1:4566' }).userPoolEndpoint).toBe(
      'http://127.0.0.1:4566',
    );
  });

  it('takes the history URL when history is on, and its absence (null) when it is off', () => {
    const url = 'https://http.example.com/channels';
    expect(parseConfig({ ...GOOD, historyUrl: url }).historyUrl).toBe(url);
    expect(parseConfig({ ...GOOD, historyUrl: null })).toEqual(GOOD);
    expect(() => parseConfig({ ...GOOD, historyUrl: 'channels' })).toThrow('historyUrl is not a URL');
  });

  it('takes the saved answers URL, and refuses one that is not a URL', () => {
    const url = 'https://http.example.com/answers';
    expect(parseConfig({ ...GOOD, answersUrl: url }).answersUrl).toBe(url);
    expect(() => parseConfig({ ...GOOD, answersUrl: 'answers' })).toThrow('answersUrl is not a URL');
  });

  it('takes presence as a URL and a channel, both or neither', () => {
    const presence = { presenceUrl: 'https://http.example.com/presence', presenceChannel: '/chat/answering' };
    expect(parseConfig({ ...GOOD, ...presence })).toEqual({ ...GOOD, ...presence });
    expect(parseConfig({ ...GOOD, presenceUrl: null, presenceChannel: null })).toEqual(GOOD);
    expect(() => parseConfig({ ...GOOD, presenceUrl: presence.presenceUrl })).toThrow(
      'presenceChannel is not a channel path (/namespace/segment...)',
    );
    expect(() => parseConfig({ ...GOOD, ...presence, presenceChannel: 'chat' })).toThrow('presenceChannel is not a channel path');
    expect(() => parseConfig({ ...GOOD, ...presence, presenceUrl: 'presence' })).toThrow('presenceUrl is not a URL');
  });

  it('names every field that is missing or wrong', () => {
    expect(() => parseConfig({ ...GOOD, userPoolId: '', reportsUrl: 'not a url' })).toThrow(
      'config.json: userPoolId is missing; reportsUrl is not a URL',
    );
    expect(() => parseConfig([])).toThrow(ConfigError);
  });

  it('says when config.json cannot be read', async () => {
    const missing = (async () => new Response('nope', { status: 404 })) as unknown as typeof fetch;
    await expect(loadConfig(missing)).rejects.toThrow('config.json could not be read (HTTP 404)');
  });
});
