// A minimal NestJS API for the crossorigin fix tests, in plain JavaScript (decorators are
// applied as functions, so no TypeScript build is needed).
// Usage: node nest_server.js PORT FIX_FILE
// FIX_FILE holds the snippet `crossorigin fix --stack nestjs` printed; it runs exactly where
// the fix says it goes: after NestFactory.create() and before app.listen().
"use strict";

require("reflect-metadata");
const fs = require("node:fs");
const { Controller, Module, All, Req, Res } = require("@nestjs/common");
const { NestFactory } = require("@nestjs/core");

const [port, fixFile] = process.argv.slice(2);

class DataController {
  handle(req, res) {
    res.set("X-Total", "42");
    res.json({ method: req.method, authorization: req.get("authorization") || null });
  }
}
Controller("data")(DataController);
Req()(DataController.prototype, "handle", 0);
Res()(DataController.prototype, "handle", 1);
All()(
  DataController.prototype,
  "handle",
  Object.getOwnPropertyDescriptor(DataController.prototype, "handle"),
);

class AppModule {}
Module({ controllers: [DataController] })(AppModule);

async function main() {
  const app = await NestFactory.create(AppModule, { logger: ["error"] });
  const applyFix = new Function("app", "require", fs.readFileSync(fixFile, "utf8"));
  applyFix(app, require);
  await app.listen(Number(port), "127.0.0.1");
  console.log(`listening on ${port}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
