// A minimal Express API for the crossorigin fix tests.
// Usage: node express_server.js PORT FIX_FILE
// FIX_FILE holds the snippet `crossorigin fix --stack express` printed; it runs exactly where
// the fix says it goes: right after `const app = express()`, before the routes.
"use strict";

const fs = require("node:fs");
const express = require("express");

const [port, fixFile] = process.argv.slice(2);
const app = express();

const applyFix = new Function("app", "require", fs.readFileSync(fixFile, "utf8"));
applyFix(app, require);

app.all("/data", (req, res) => {
  res.set("X-Total", "42");
  res.json({ method: req.method, authorization: req.get("authorization") || null });
});

const server = app.listen(Number(port), "127.0.0.1", () => {
  console.log(`listening on ${server.address().port}`);
});
