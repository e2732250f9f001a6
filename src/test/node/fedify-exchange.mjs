// A Fedify peer exchanging activities with Caravan both ways (see social.caravan.interop.FedifyExchangeTest).
//
// It serves two actors, "fedi" and "fedo" (RSA keys, followers collections, a shared inbox that records every
// activity Fedify verified), on 127.0.0.1:PEER_PORT, and drives Caravan's client API as the local account
// CARAVAN_USER (token CARAVAN_TOKEN) through: follows both ways (by handle and by URL) with their Accept;
// posts of every visibility; replies, likes, boosts, Undo, Update (edit) and Delete both ways; a poll Fedify
// reads as a Question and votes in; unsigned, badly signed and RFC 9421-signed deliveries. It prints one JSON object with what it saw and exits non-zero
// when anything failed.
import http from "node:http";
import { createFederation, MemoryKvStore, generateCryptoKeyPair, signRequest } from "@fedify/fedify";
import {
  Accept, Announce, Create, Delete, Endpoints, Follow, Like, Mention, Note, Person, PUBLIC_COLLECTION, Question,
  Reject, Tombstone, Undo, Update,
} from "@fedify/fedify/vocab";

const caravan = process.env.CARAVAN_URL;
const user = process.env.CARAVAN_USER;
const token = process.env.CARAVAN_TOKEN;
const port = Number(process.env.PEER_PORT);
const origin = `http://127.0.0.1:${port}`;
const peerDomain = `127.0.0.1:${port}`;
const aliceUri = `${caravan}/users/${user}`;
const alice = { id: new URL(aliceUri), inboxId: new URL(`${aliceUri}/inbox`) };
const sharedInbox = { id: new URL(aliceUri), inboxId: new URL(`${caravan}/inbox`) };

const keys = { fedi: await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"), fedo: await generateCryptoKeyPair("RSASSA-PKCS1-v1_5") };
const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });
const received = [];
const inboxErrors = [];
let seq = 0;
const nextId = (kind) => new URL(`${origin}/${kind}/${++seq}`);

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (!(identifier in keys)) return null;
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: `Fedify ${identifier}`,
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      url: new URL(`/@${identifier}`, ctx.url),
      publicKey: pairs[0].cryptographicKey,
      assertionMethods: pairs.map((p) => p.multikey),
    });
  })
  .setKeyPairsDispatcher(async (ctx, identifier) => identifier in keys ? [keys[identifier]] : []);
federation.setFollowersDispatcher("/users/{identifier}/followers", async () => ({ items: [] }));

async function record(ctx, activity) {
  const entry = {
    type: activity.constructor.name,
    id: activity.id?.href,
    actor: activity.actorId?.href,
    objectId: activity.objectId?.href,
    to: activity.toIds.map((u) => u.href),
    cc: activity.ccIds.map((u) => u.href),
  };
  if (activity instanceof Create || activity instanceof Update || activity instanceof Undo
      || activity instanceof Accept || activity instanceof Reject) {
    const object = await activity.getObject({ crossOrigin: "trust" });
    entry.objectType = object?.constructor.name;
    if (object instanceof Note) {
      entry.content = object.content?.toString();
      entry.inReplyTo = object.replyTargetId?.href;
      entry.noteTo = object.toIds.map((u) => u.href);
      entry.noteCc = object.ccIds.map((u) => u.href);
      entry.mentions = [];
      for await (const tag of object.getTags()) if (tag instanceof Mention) entry.mentions.push(tag.href?.href);
    } else if (object instanceof Question) {
      entry.questionId = object.id?.href;
      entry.content = object.content?.toString();
      entry.options = [];
      for await (const option of object.getExclusiveOptions()) {
        const replies = await option.getReplies();
        entry.options.push({ name: option.name?.toString(), votes: replies?.totalItems ?? null });
      }
      entry.endTime = object.endTime?.toString();
      entry.voters = object.voters;
    } else if (object != null) {
      entry.innerObjectId = object.objectId?.href;
      entry.innerActor = object.actorId?.href;
    }
  }
  received.push(entry);
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    await record(ctx, follow);
    const follower = await follow.getActor(ctx);
    const followed = ctx.parseUri(follow.objectId);
    if (follower == null || followed?.type !== "actor") return;
    await ctx.sendActivity({ identifier: followed.identifier }, follower,
      new Accept({ id: nextId("accepts"), actor: follow.objectId, object: follow }));
  })
  .on(Accept, record).on(Reject, record).on(Create, record).on(Update, record).on(Delete, record)
  .on(Like, record).on(Announce, record).on(Undo, record)
  .onError((ctx, error) => { inboxErrors.push(String(error?.stack ?? error)); });

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  const request = new Request(new URL(req.url, origin), { method: req.method, headers: req.headers, body });
  const response = await federation.fetch(request, {
    contextData: undefined,
    onNotFound: () => new Response("Not found", { status: 404 }),
    onNotAcceptable: () => new Response("Not acceptable", { status: 406 }),
  });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});
await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
const ctx = federation.createContext(new URL(origin), undefined);
const fedi = ctx.getActorUri("fedi");
const fedo = ctx.getActorUri("fedo");

const result = { peerActor: fedi.href, peerDomain };
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); return ok; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 20000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value) return value;
    await sleep(100);
  }
  failures.push(`timed out waiting for ${what}`);
  return null;
}
async function api(method, path, body) {
  const response = await fetch(`${caravan}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: response.status, json };
}
const got = (pred) => received.find(pred);
const send = (actor, activity, to = alice) => ctx.sendActivity({ identifier: actor }, to, activity);
const homeHas = async (uri) => (await api("GET", "/api/v1/timelines/home?limit=40")).json?.find((s) => s.uri === uri) ?? null;
const noteOf = (actor, text, opts = {}) => new Note({
  id: nextId("notes"), attribution: actor, content: text, to: PUBLIC_COLLECTION,
  ccs: [new URL(`${actor.href}/followers`)], ...opts,
});

try {
  // 1. The peer follows the Caravan account and gets the Accept.
  const follow = new Follow({ id: nextId("follows"), actor: fedi, object: alice.id });
  await send("fedi", follow);
  const accept = await until("the Accept of fedi's Follow", () => got((a) => a.type === "Accept" && a.innerObjectId === alice.id.href && a.actor === aliceUri));
  result.acceptActor = accept?.actor;

  // 2. The Caravan account follows the peer by handle (fedi) and by URL (fedo).
  const byHandle = await api("GET", `/api/v2/search?q=${encodeURIComponent(`@fedi@${peerDomain}`)}&resolve=true&type=accounts`);
  const fediAccount = byHandle.json?.accounts?.[0];
  check(fediAccount?.acct === `fedi@${peerDomain}`, `search resolves the handle (answered ${byHandle.status})`);
  const lookup = await api("GET", `/api/v1/accounts/lookup?acct=fedi@${peerDomain}`);
  check(lookup.json?.id === fediAccount?.id, `lookup finds the known account (answered ${lookup.status})`);
  const followByHandle = await api("POST", `/api/v1/accounts/${fediAccount?.id}/follow`);
  result.requestedAtFirst = followByHandle.json?.requested;
  const search = await api("GET", `/api/v2/search?q=${encodeURIComponent(fedo.href)}&resolve=true&type=accounts`);
  const fedoAccount = search.json?.accounts?.[0];
  check(fedoAccount?.uri === fedo.href, "search resolves the actor URL");
  await api("POST", `/api/v1/accounts/${fedoAccount?.id}/follow`);
  const rel = await until("following both", async () => {
    const r = await api("GET", `/api/v1/accounts/relationships?id[]=${lookup.json?.id}&id[]=${fedoAccount?.id}`);
    return r.json?.every((x) => x.following) ? r.json : null;
  });
  result.followingByHandle = rel?.[0]?.following ?? false;
  result.followingByUrl = rel?.[1]?.following ?? false;
  result.followsReceived = received.filter((a) => a.type === "Follow").map((a) => a.objectId);
  result.fediAccountId = lookup.json?.id;

  // 3. The peer's posts land in the home timeline.
  const post = noteOf(fedi, "<p>Hello from Fedify</p>");
  await send("fedi", new Create({ id: nextId("creates"), actor: fedi, object: post, to: PUBLIC_COLLECTION }));
  const inHome = await until("fedi's post in home", () => homeHas(post.id.href));
  result.homeContent = inHome?.content;
  result.homeStatus = inHome;
  result.fediPostUri = post.id.href;

  // 4. Public, followers-only and direct posts reach the right inboxes, and a direct post to someone else none.
  const posted = {};
  for (const [visibility, text] of [["public", "public from caravan"], ["private", "followers from caravan"],
                                    ["direct", `@fedi@${peerDomain} direct from caravan`]]) {
    const r = await api("POST", "/api/v1/statuses", { status: text, visibility });
    check(r.status === 200, `posting ${visibility} answered ${r.status}`);
    posted[visibility] = r.json;
  }
  const elsewhere = await api("POST", "/api/v1/statuses", { status: "nobody at the peer sees this", visibility: "direct" });
  check(elsewhere.status === 422 || elsewhere.status === 200, "a direct post without mentions is refused or kept local");
  const creates = await until("the three posts", () => {
    const found = ["public from caravan", "followers from caravan", "direct from caravan"]
      .map((t) => got((a) => a.type === "Create" && a.content?.includes(t)));
    return found.every(Boolean) ? found : null;
  });
  result.deliveries = creates?.map((c) => ({ to: c.to, cc: c.cc, noteTo: c.noteTo, noteCc: c.noteCc, mentions: c.mentions }));
  await sleep(1500);
  result.strayDelivered = received.some((a) => a.content?.includes("nobody at the peer"));

  // 5. Replies both ways.
  const reply = noteOf(fedi, "<p>a reply from Fedify</p>", { replyTarget: new URL(posted.public.uri) });
  await send("fedi", new Create({ id: nextId("creates"), actor: fedi, object: reply, to: PUBLIC_COLLECTION }));
  const context = await until("the reply in the thread", async () => {
    const r = await api("GET", `/api/v1/statuses/${posted.public.id}/context`);
    return r.json?.descendants?.length ? r.json : null;
  });
  result.replyInThread = context?.descendants?.[0]?.uri === reply.id.href;
  const fediPost = inHome;
  const answer = await api("POST", "/api/v1/statuses", { status: "answering Fedify", in_reply_to_id: fediPost?.id });
  const answerIn = await until("Caravan's reply at the peer", () => got((a) => a.type === "Create" && a.content?.includes("answering Fedify")));
  result.replyTarget = answerIn?.inReplyTo;

  // 6. Likes and boosts both ways, with Undo.
  const like = new Like({ id: nextId("likes"), actor: fedi, object: new URL(posted.public.uri) });
  const boost = new Announce({ id: nextId("announces"), actor: fedi, object: new URL(posted.public.uri), to: PUBLIC_COLLECTION });
  await send("fedi", like);
  await send("fedi", boost);
  const counted = await until("the like and boost counted", async () => {
    const s = (await api("GET", `/api/v1/statuses/${posted.public.id}`)).json;
    return s?.favourites_count === 1 && s?.reblogs_count === 1 ? s : null;
  });
  result.likedAndBoosted = counted != null;
  await send("fedi", new Undo({ id: nextId("undos"), actor: fedi, object: like }));
  await send("fedi", new Undo({ id: nextId("undos"), actor: fedi, object: boost }));
  const uncounted = await until("the like and boost undone", async () => {
    const s = (await api("GET", `/api/v1/statuses/${posted.public.id}`)).json;
    return s?.favourites_count === 0 && s?.reblogs_count === 0 ? s : null;
  });
  result.undoneIn = uncounted != null;
  await api("POST", `/api/v1/statuses/${fediPost?.id}/favourite`);
  await api("POST", `/api/v1/statuses/${fediPost?.id}/reblog`);
  await until("Caravan's Like and Announce", () => got((a) => a.type === "Like" && a.objectId === post.id.href)
    && got((a) => a.type === "Announce" && a.objectId === post.id.href));
  await api("POST", `/api/v1/statuses/${fediPost?.id}/unfavourite`);
  await api("POST", `/api/v1/statuses/${fediPost?.id}/unreblog`);
  const undos = await until("Caravan's Undos", () => {
    const types = received.filter((a) => a.type === "Undo").map((a) => a.objectType);
    return types.includes("Like") && types.includes("Announce") ? types : null;
  });
  result.undoneOut = undos;

  // 7. Edits both ways.
  const edited = noteOf(fedi, "<p>Hello from Fedify, edited</p>", { id: post.id });
  await send("fedi", new Update({ id: nextId("updates"), actor: fedi, object: edited, to: PUBLIC_COLLECTION }));
  const editedIn = await until("the edit at Caravan", async () => {
    const s = (await api("GET", `/api/v1/statuses/${fediPost?.id}`)).json;
    return s?.content?.includes("edited") ? s : null;
  });
  result.editedIn = editedIn?.content;
  await api("PUT", `/api/v1/statuses/${posted.public.id}`, { status: "public from caravan, edited" });
  const updateOut = await until("Caravan's Update", () => got((a) => a.type === "Update" && a.content?.includes("edited")));
  result.editedOut = updateOut?.content;

  // 8. Deletes both ways.
  await send("fedi", new Delete({ id: nextId("deletes"), actor: fedi, object: new Tombstone({ id: post.id }), to: PUBLIC_COLLECTION }));
  result.deletedIn = (await until("the delete at Caravan", async () =>
    (await api("GET", `/api/v1/statuses/${fediPost?.id}`)).status === 404 ? true : null)) === true;
  await api("DELETE", `/api/v1/statuses/${posted.public.id}`);
  const deleteOut = await until("Caravan's Delete", () => got((a) => a.type === "Delete" && a.objectId === posted.public.uri));
  result.deletedOut = deleteOut != null;

  // 9. A poll: Fedify reads Caravan's as a Question, and its vote (a Note named after an option) is counted.
  const poll = await api("POST", "/api/v1/statuses",
    { status: "tea or coffee?", poll: { options: ["tea", "coffee"], expires_in: 3600 } });
  check(poll.status === 200, `posting a poll answered ${poll.status}`);
  const question = await until("the Question at the peer", () => got((a) => a.type === "Create" && a.questionId === poll.json?.uri));
  result.pollOut = question == null ? null
    : { options: question.options, endTime: question.endTime, voters: question.voters, expiresAt: poll.json?.poll?.expires_at };
  const vote = new Note({ id: nextId("votes"), attribution: fedi, name: "coffee", replyTarget: new URL(poll.json.uri), to: alice.id });
  await send("fedi", new Create({ id: nextId("creates"), actor: fedi, object: vote, to: alice.id }));
  const voted = await until("the vote counted", async () => {
    const s = (await api("GET", `/api/v1/statuses/${poll.json?.id}`)).json;
    return s?.poll?.votes_count === 1 ? s : null;
  });
  result.pollVotedIn = voted?.poll ?? null;

  // 10. Unsigned and badly signed deliveries get 401; an RFC 9421 first knock is accepted.
  const activity = JSON.stringify({
    "@context": "https://www.w3.org/ns/activitystreams", id: nextId("creates").href, type: "Create", actor: fedi.href,
    object: { id: nextId("notes").href, type: "Note", attributedTo: fedi.href, content: "<p>signed with RFC 9421</p>",
              to: ["https://www.w3.org/ns/activitystreams#Public"] },
    to: ["https://www.w3.org/ns/activitystreams#Public"],
  });
  const inbox = `${caravan}/inbox`;
  const headers = { "Content-Type": "application/activity+json" };
  result.unsignedStatus = (await fetch(inbox, { method: "POST", headers, body: activity })).status;
  const forged = await signRequest(new Request(inbox, { method: "POST", headers, body: activity }),
    (await generateCryptoKeyPair("RSASSA-PKCS1-v1_5")).privateKey, new URL(`${fedi.href}#main-key`));
  result.forgedStatus = (await fetch(forged)).status;
  const rfc9421 = await signRequest(new Request(inbox, { method: "POST", headers, body: activity }),
    keys.fedi.privateKey, new URL(`${fedi.href}#main-key`), { spec: "rfc9421" });
  result.rfc9421Status = (await fetch(rfc9421)).status;
  result.rfc9421Applied = (await until("the RFC 9421-signed post", async () =>
    (await api("GET", "/api/v1/timelines/home?limit=40")).json?.some((s) => s.content?.includes("RFC 9421")) || null)) === true;
} catch (e) {
  failures.push(String(e?.stack ?? e));
} finally {
  server.close();
}
result.inboxErrors = inboxErrors;
result.received = received.map((a) => `${a.type}${a.objectType ? "(" + a.objectType + ")" : ""}`);
result.failures = failures;
console.log(JSON.stringify(result));
process.exit(failures.length ? 1 : 0);
