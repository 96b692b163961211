// Runs sealed-core.js under Node for tests/sealed/test_sealed_js.py: reads a JSON list of
// operations on stdin and prints one JSON list of results, so a test starts Node once.
// Each result is {"ok": value} or {"error": message}, so a refusal can be asserted on.
"use strict";

const path = require("path");
const core = require(
  process.argv[2] || path.join(__dirname, "../../src/folkmoot/static/js/sealed-core.js")
);

async function run(op) {
  switch (op.op) {
    case "supported":
      return core.supported() && globalThis.FolkmootSealed === core;
    case "newCredential":
      return core.newCredential();
    case "checksumOk":
      return core.credentialChecksumOk(op.credential);
    case "derive":
      return core.derivePublicCredential(op.credential, op.uuid);
    case "ballot": {
      const start = performance.now();
      const ballot = await core.makeBallot(op.election, op.credential, op.answers);
      const ms = performance.now() - start;
      return { ballot: ballot, tracker: await core.tracker(ballot), ms: ms };
    }
    default:
      throw new Error("unknown operation " + op.op);
  }
}

async function main() {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const results = [];
  for (const op of JSON.parse(input)) {
    try {
      results.push({ ok: await run(op) });
    } catch (e) {
      results.push({ error: String(e && e.message) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch(function (e) {
  process.stderr.write(String(e && e.stack) + "\n");
  process.exit(1);
});
