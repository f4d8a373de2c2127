// Bundle every src/entries/*.ts into src/labelworks/web/static/js/<name>.js.
// Deterministic output (no timestamps, no absolute paths) so CI can rebuild and diff.
import { build } from "esbuild";
import { readdirSync } from "node:fs";

const entries = readdirSync("src/entries").filter((f) => f.endsWith(".ts")).map((f) => `src/entries/${f}`);
await build({
  entryPoints: entries,
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: false,
  legalComments: "eof",
  outdir: "../src/labelworks/web/static/js",
  logLevel: "info",
});
