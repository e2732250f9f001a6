// Two people on one Caravan, driven through masto.js as a Mastodon app drives a server: they follow
// each other, post, reply, favourite, boost and bookmark, then read their home timelines,
// notifications and the thread. Prints one JSON line of what each saw, for the Java test to check.
//
// Env: CARAVAN_URL, CARAVAN_TOKEN_A, CARAVAN_TOKEN_B. Any failure: message on stderr, exit 1.
import { createRestAPIClient } from "masto";

console.info = console.debug = console.log = (...args) => console.error(...args);

const url = process.env.CARAVAN_URL;
const a = createRestAPIClient({ url, accessToken: process.env.CARAVAN_TOKEN_A, timeout: 15_000 });
const b = createRestAPIClient({ url, accessToken: process.env.CARAVAN_TOKEN_B, timeout: 15_000 });

// Home feeds are filled by the worker; wait until a timeline shows what it should.
async function until(what, fetch, ok) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await fetch();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

try {
  const meA = await a.v1.accounts.verifyCredentials();
  const meB = await b.v1.accounts.verifyCredentials();

  const followAB = await a.v1.accounts.$select(meB.id).follow();
  const followBA = await b.v1.accounts.$select(meA.id).follow();

  const post = await a.v1.statuses.create({ status: `Hello @${meB.username}, first post #caravan`, visibility: "public" });
  const reply = await b.v1.statuses.create({ status: `@${meA.username} welcome!`, inReplyToId: post.id });
  const favourited = await b.v1.statuses.$select(post.id).favourite();
  const boost = await b.v1.statuses.$select(post.id).reblog();
  const bookmarked = await a.v1.statuses.$select(reply.id).bookmark();

  const homeA = await until("A's home to show B's reply", () => a.v1.timelines.home.list({ limit: 20 }),
    (list) => list.some((s) => s.id === reply.id));
  const homeB = await until("B's home to show A's post and B's boost", () => b.v1.timelines.home.list({ limit: 20 }),
    (list) => list.some((s) => s.id === post.id));
  const notificationsA = await a.v1.notifications.list({ limit: 30 });
  const notificationsB = await b.v1.notifications.list({ limit: 30 });
  const context = await a.v1.statuses.$select(post.id).context.fetch();
  const bookmarks = await a.v1.bookmarks.list();
  const relationship = await a.v1.accounts.relationships.fetch({ id: [meB.id] });

  process.stdout.write(JSON.stringify({
    follows: { ab: followAB.following, ba: followBA.following, relationship: relationship[0] },
    post: { id: post.id, mentions: post.mentions.map((m) => m.acct), tags: post.tags.map((t) => t.name) },
    reply: { id: reply.id, inReplyToId: reply.inReplyToId },
    favourited: { favourited: favourited.favourited, count: favourited.favouritesCount },
    boost: { id: boost.id, of: boost.reblog?.id, reblogged: boost.reblog?.reblogged },
    bookmarked: bookmarked.bookmarked,
    homeA: homeA.map((s) => ({ id: s.id, reblog: s.reblog?.id ?? null })),
    homeB: homeB.map((s) => ({ id: s.id, reblog: s.reblog?.id ?? null })),
    notificationsA: notificationsA.map((n) => ({ type: n.type, account: n.account.username, status: n.status?.id ?? null })),
    notificationsB: notificationsB.map((n) => ({ type: n.type, account: n.account.username, status: n.status?.id ?? null })),
    context: { ancestors: context.ancestors.map((s) => s.id), descendants: context.descendants.map((s) => s.id) },
    bookmarks: bookmarks.map((s) => s.id),
  }) + "\n");
} catch (error) {
  console.error(error?.stack ?? String(error));
  if (error?.statusCode) console.error(`HTTP status: ${error.statusCode}`);
  process.exit(1);
}
