// AWS's Amplify library (aws-amplify/data `events`) against an Event API, API key mode:
// connect to a channel, post to it, and print what the subscription receives, as JSON.
// Usage: node check.mjs <publish url> <api key> <region> <channel> <event JSON>
// The local endpoint's CA comes from NODE_EXTRA_CA_CERTS (set by the caller, for this run).
// It runs on the web app's own aws-amplify (web/node_modules, from web/package-lock.json).
// Amplify uses the global WebSocket: Node 22 has one, Node 20 behind --experimental-websocket
// (the test passes it there).
if (typeof WebSocket === 'undefined') {
  console.error('no global WebSocket: run node with --experimental-websocket (Node 20 and 21)');
  process.exit(3);
}

const [endpoint, apiKey, region, channelPath, eventJson] = process.argv.slice(2);
const { Amplify } = await import('aws-amplify');
const { events } = await import('aws-amplify/data');

Amplify.configure({
  API: { Events: { endpoint, region, defaultAuthMode: 'apiKey', apiKey } },
});

const deadline = setTimeout(() => {
  console.error('no event within 15 s');
  process.exit(2);
}, 15000);

const channel = await events.connect(channelPath);
const received = new Promise((resolve, reject) => {
  channel.subscribe({ next: resolve, error: reject });
});
// The subscription is confirmed (subscribe_success) before connect resolves its first
// message; a short pause keeps the post after it on a slow machine.
await new Promise((resolve) => setTimeout(resolve, 500));
const posted = await events.post(channelPath, JSON.parse(eventJson));
const event = await received;
clearTimeout(deadline);
console.log(JSON.stringify({ posted, event }));
channel.close();
process.exit(0);
