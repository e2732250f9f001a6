// masto.js's streaming client on a Caravan streaming node: ann listens to her user stream over a
// WebSocket (token as the subprotocol, as masto.js sends it) while ben, whom she follows, posts,
// mentions her and deletes the post through the REST API. Prints one JSON line of what ann's
// stream received.
//
// Env: CARAVAN_URL (web node), CARAVAN_STREAMING_URL (ws:// of a streaming node),
// CARAVAN_TOKEN_A (ann, listening), CARAVAN_TOKEN_B (ben, acting). Any failure: stderr, exit 1.
import { createRestAPIClient, createStreamingAPIClient } from "masto";

console.info = console.debug = console.log = (...args) => console.error(...args);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, ok) {
  const deadline = Date.now() + 20_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(seen)}`);
    await sleep(100);
  }
}

const seen = { updates: [], notifications: [], deletes: [] };
const ben = createRestAPIClient({ url: process.env.CARAVAN_URL, accessToken: process.env.CARAVAN_TOKEN_B, timeout: 15_000 });
const streaming = createStreamingAPIClient({
  streamingApiUrl: process.env.CARAVAN_STREAMING_URL,
  accessToken: process.env.CARAVAN_TOKEN_A,
  retry: false,
});

try {
  const subscription = streaming.user.subscribe();
  (async () => {
    for await (const e of subscription) {
      if (e.event === "update") seen.updates.push(e.payload.id);
      else if (e.event === "notification") seen.notifications.push({ type: e.payload.type, status: e.payload.status?.id });
      else if (e.event === "delete") seen.deletes.push(e.payload);
    }
  })().catch((e) => console.error("stream ended:", e));
  // The node registers the subscription when the subscribe message arrives.
  await sleep(1500);

  const post = await ben.v1.statuses.create({ status: "hello from masto.js" });
  const mention = await ben.v1.statuses.create({ status: "@ann are you there?" });
  await until("the update and the mention", () =>
    seen.updates.includes(post.id) && seen.notifications.some((n) => n.status === mention.id));
  await ben.v1.statuses.$select(post.id).remove();
  await until("the delete", () => seen.deletes.includes(post.id));

  process.stdout.write(JSON.stringify({ post: post.id, mention: mention.id, seen }) + "\n");
  streaming.close();
  process.exit(0);
} catch (e) {
  console.error(e);
  process.exit(1);
}
