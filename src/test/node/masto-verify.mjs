// Logs in to Caravan with masto.js and prints what the client saw, for social.caravan tests.
//
// Env: CARAVAN_URL (e.g. http://127.0.0.1:8080), CARAVAN_TOKEN (OAuth bearer token),
//      optional CARAVAN_MASTO_LOG (masto log level: debug | info | warn | error; default warn).
// Stdout: exactly one line, {"account": <CredentialAccount>, "instance": <v2 Instance>}.
// Note: masto.js camelCases every key of every response (display_name -> displayName), so the objects
// printed here are what a masto.js user sees, not Caravan's raw JSON.
// Any failure: message on stderr, exit code 1.
import { createRestAPIClient } from "masto";

// masto's logger writes info/debug via console.info/console.debug, i.e. to stdout; keep stdout for the result.
console.info = console.debug = console.log = (...args) => console.error(...args);

function describe(error) {
  const parts = [error?.stack ?? String(error)];
  if (error?.statusCode !== undefined) {
    parts.push(`HTTP status: ${error.statusCode}`);
  }
  if (error?.description) {
    parts.push(`description: ${error.description}`);
  }
  if (error?.details) {
    parts.push(`details: ${JSON.stringify(error.details)}`);
  }
  // fetch() failures ("fetch failed") hide the real reason, e.g. ECONNREFUSED, in error.cause.
  for (let cause = error?.cause; cause; cause = cause.cause) {
    // MastoHttpError's cause is the fetch Response, whose status is already printed above.
    if (!(cause instanceof Response)) {
      parts.push(`caused by: ${cause?.stack ?? cause}`);
    }
  }
  return parts.join("\n");
}

try {
  const url = process.env.CARAVAN_URL;
  if (!url) {
    throw new Error("CARAVAN_URL is not set");
  }
  const masto = createRestAPIClient({
    url,
    accessToken: process.env.CARAVAN_TOKEN,
    timeout: 15_000,
    log: process.env.CARAVAN_MASTO_LOG || "warn",
  });
  const account = await masto.v1.accounts.verifyCredentials();
  const instance = await masto.v2.instance.fetch();
  process.stdout.write(JSON.stringify({ account, instance }) + "\n");
} catch (error) {
  console.error(describe(error));
  process.exitCode = 1;
}
