// A Fedify peer for Caravan's interop tests (see social.caravan.interop.FedifyInteropTest).
//
// It serves one actor, "fedi", with an RSA key (WebFinger and actor document by Fedify) on 127.0.0.1:PEER_PORT,
// then, by MODE:
//   fetch:   WebFinger and content negotiation against Caravan, then signed GETs (draft-cavage and RFC 9421)
//            that Caravan, running with AUTHORIZED_FETCH=true, must verify with the key it fetches from here;
//   resolve: asks Caravan's client API to search for @fedi@127.0.0.1:PEER_PORT with resolve=true (as CARAVAN_TOKEN),
//            so Caravan resolves this peer by handle, then looks it up; an anonymous lookup before that must
//            fetch nothing. The actor document is only served to requests whose signature Fedify verifies.
// It prints one JSON object with what it saw and exits non-zero when anything failed.
import http from "node:http";
import { createFederation, MemoryKvStore, generateCryptoKeyPair, signRequest } from "@fedify/fedify";
import { Person, lookupObject } from "@fedify/fedify/vocab";
import { getDocumentLoader } from "@fedify/vocab-runtime";
import { lookupWebFinger } from "@fedify/webfinger";

const caravan = process.env.CARAVAN_URL;
const user = process.env.CARAVAN_USER;
const port = Number(process.env.PEER_PORT);
const mode = process.env.MODE;
const origin = `http://127.0.0.1:${port}`;

const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });
const signedFetches = [];
federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== "fedi") return null;
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify Peer",
      summary: "<p>I run on <b>Fedify</b><script>alert(1)</script></p>",
      inbox: ctx.getInboxUri(identifier),
      url: new URL(`/@${identifier}`, ctx.url),
      publicKey: pairs[0].cryptographicKey,
      assertionMethods: pairs.map((p) => p.multikey),
    });
  })
  .setKeyPairsDispatcher(async (ctx, identifier) => identifier === "fedi" ? [keys] : [])
  .authorize(async (ctx, identifier) => {
    if (mode !== "resolve") return true;
    const owner = await ctx.getSignedKeyOwner();
    signedFetches.push(owner?.id?.href ?? null);
    return owner != null;
  });
federation.setInboxListeners("/users/{identifier}/inbox", "/inbox");

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

const result = { mode, peerActor: `${origin}/users/fedi` };
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };
const keyId = new URL(`${origin}/users/fedi#main-key`);

try {
  if (mode === "fetch") {
    const actorUrl = `${caravan}/users/${user}`;
    const jrd = await lookupWebFinger(actorUrl, { allowPrivateAddress: true });
    const self = jrd?.links?.find((l) => l.rel === "self");
    result.webfingerSubject = jrd?.subject;
    check(self?.href === actorUrl, "WebFinger self link is the actor");
    check(self?.type === "application/activity+json", "WebFinger self link type");

    const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
    const unsigned = await fetch(actorUrl, { headers: { Accept: "application/activity+json" } });
    result.unsignedStatus = unsigned.status;

    const signedActor = await fetch(await signRequest(
      new Request(actorUrl, { headers: { Accept: "application/activity+json" } }), keys.privateKey, keyId));
    result.signedStatus = signedActor.status;
    const actor = await Person.fromJsonLd(await signedActor.json(), { documentLoader, contextLoader: documentLoader });
    result.actorType = actor.constructor.name;
    result.preferredUsername = actor.preferredUsername?.toString();
    result.inbox = actor.inboxId?.href;
    const key = await actor.getPublicKey({ documentLoader, contextLoader: documentLoader });
    result.publicKeyId = key?.id?.href;
    result.publicKeyOwner = key?.ownerId?.href;

    const ld = await fetch(await signRequest(new Request(`${caravan}/@${user}`, {
      headers: { Accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' } }), keys.privateKey, keyId));
    result.ldContentType = ld.headers.get("content-type");
    const html = await fetch(`${caravan}/@${user}`, { headers: { Accept: "text/html" } });
    result.htmlStatus = html.status;
    result.htmlContentType = html.headers.get("content-type");

    const rfc9421 = await fetch(await signRequest(
      new Request(`${caravan}/users/${user}/outbox`, { headers: { Accept: "application/activity+json" } }),
      keys.privateKey, keyId, { spec: "rfc9421" }));
    result.rfc9421Status = rfc9421.status;
    result.outboxType = (await rfc9421.json()).type;

    const forged = await signRequest(new Request(`${caravan}/users/${user}/followers`,
      { headers: { Accept: "application/activity+json" } }), (await generateCryptoKeyPair()).privateKey, keyId);
    result.forgedStatus = (await fetch(forged)).status;
  } else if (mode === "resolve") {
    const handle = `fedi@127.0.0.1:${port}`;
    result.lookupBeforeStatus = (await fetch(`${caravan}/api/v1/accounts/lookup?acct=${handle}`)).status;
    result.fetchesBeforeSearch = signedFetches.length;
    const search = await fetch(`${caravan}/api/v2/search?resolve=true&type=accounts&q=${encodeURIComponent("@" + handle)}`,
      { headers: { Authorization: `Bearer ${process.env.CARAVAN_TOKEN}` } });
    result.searchStatus = search.status;
    result.searchAccount = (await search.json()).accounts?.[0] ?? null;
    const lookup = await fetch(`${caravan}/api/v1/accounts/lookup?acct=${handle}`);
    result.lookupStatus = lookup.status;
    result.account = await lookup.json();
    result.signedFetches = signedFetches;
  } else {
    failures.push(`unknown MODE ${mode}`);
  }
} catch (e) {
  failures.push(String(e?.stack ?? e));
} finally {
  server.close();
}
result.failures = failures;
console.log(JSON.stringify(result));
process.exit(failures.length ? 1 : 0);
