// Generates the protobuf code (buf + local protoc-gen-es) and bundles the page into dist/.
//   node build.mjs            # generate + bundle
//   BUF=/path/to/buf node build.mjs
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const venvBuf = join(root, ".venv", "bin", "buf");
const buf = process.env.BUF ?? (existsSync(venvBuf) ? venvBuf : "buf");

rmSync(join(here, "src", "gen"), { recursive: true, force: true });
execFileSync(buf, ["generate", join(root, "proto"), "--template", join(here, "buf.gen.yaml")], {
  cwd: here,
  stdio: "inherit",
});

const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
await esbuild.build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  outfile: join(dist, "main.js"),
  logLevel: "warning",
});
copyFileSync(join(here, "index.html"), join(dist, "index.html"));
console.log(`built ${dist}`);
