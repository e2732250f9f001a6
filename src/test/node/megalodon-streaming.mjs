// megalodon's user stream on Caravan: it finds the streaming node through /api/v1/instance
// (urls.streaming_api, i.e. STREAMING_API_BASE_URL) and connects with ?stream=user&access_token=.
// ann listens while ben, whom she follows, posts, mentions her and deletes the post. Prints one
// JSON line of what ann's stream received.
//
// Env: CARAVAN_URL (web node), CARAVAN_TOKEN_A (ann), CARAVAN_TOKEN_B (ben). Any failure: stderr, exit 1.
import generator from "megalodon";

console.info = console.debug = console.log = (...args) => console.error(...args);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, ok) {
  const deadline = Date.now() + 20_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(seen)}`);
    await sleep(100);
  }
}

const seen = { url: null, updates: [], notifications: [], deletes: [] };
const ann = generator("mastodon", process.env.CARAVAN_URL, process.env.CARAVAN_TOKEN_A);
const ben = generator("mastodon", process.env.CARAVAN_URL, process.env.CARAVAN_TOKEN_B);

try {
  seen.url = await ann.streamingURL();
  const stream = await ann.userStreaming();
  const connected = new Promise((resolve, reject) => {
    stream.on("connect", resolve);
    stream.on("error", reject);
  });
  stream.on("update", (s) => seen.updates.push(s.id));
  stream.on("notification", (n) => seen.notifications.push({ type: n.type, status: n.status?.id }));
  stream.on("delete", (id) => seen.deletes.push(id));
  await connected;
  await sleep(1500);

  const post = (await ben.postStatus("hello from megalodon")).data;
  const mention = (await ben.postStatus("@ann megalodon says hi")).data;
  await until("the update and the mention", () =>
    seen.updates.includes(post.id) && seen.notifications.some((n) => n.status === mention.id));
  await ben.deleteStatus(post.id);
  await until("the delete", () => seen.deletes.includes(post.id));

  process.stdout.write(JSON.stringify({ post: post.id, mention: mention.id, seen }) + "\n");
  stream.stop();
  process.exit(0);
} catch (e) {
  console.error(e);
  process.exit(1);
}
