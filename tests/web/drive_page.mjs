// Drives the deckgen web page in headless Chromium (playwright-core) and prints what it saw as JSON.
// Input (env): WEB_DIR (clients/web, for node_modules), PAGE_URL, MARKDOWN_FILE, SLIDE_COUNT,
// CHROMIUM (default /usr/bin/chromium), PROFILE_DIR (a fresh --user-data-dir).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.WEB_DIR, "package.json"));
const { chromium } = require("playwright-core");

const context = await chromium.launchPersistentContext(process.env.PROFILE_DIR, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
  ],
});
const result = { console: [] };
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (msg) => result.console.push(`${msg.type()}: ${msg.text()}`));
  page.on("pageerror", (err) => result.console.push(`pageerror: ${err.message}`));
  // Independent of the page's own bookkeeping: a MutationObserver timestamps every slide element.
  await page.addInitScript(() => {
    window.__seen = [];
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) {
        if (n instanceof HTMLElement && n.classList.contains("slide")) {
          window.__seen.push({ index: Number(n.dataset.index), t: performance.now() });
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(process.env.PAGE_URL);
  if (process.env.MODE === "previews") await previews(page);
  else if (process.env.MODE === "auth") await signIn(page);
  else if (process.env.MODE === "layouts") await layouts(page);
  else if (process.env.MODE === "cancel") await cancelAndResume(page);
  else await streamAndError(page);
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(result));

async function streamAndError(page) {
  // 1. A pasted Markdown document becomes a streamed deck.
  await fillAndGenerate(page);
  await page.waitForFunction(() => window.deckgen.done || window.deckgen.error, null, { timeout: 30000 });
  result.generation = await page.evaluate(() => ({
    state: window.deckgen,
    seen: window.__seen,
    outline: [...document.querySelectorAll("#outline .outline-item")].map((e) => e.textContent),
    slides: [...document.querySelectorAll("#slides .slide")].map((e) => ({
      index: Number(e.dataset.index),
      title: e.querySelector("h3").textContent,
      bullets: [...e.querySelectorAll("li")].map((li) => li.textContent),
    })),
    artifacts: [...document.querySelectorAll("#artifacts .artifact")].map((e) => e.dataset.format),
    status: document.querySelector("#status").textContent,
  }));

  // 2. An invalid request shows the gRPC status.
  await page.fill("#slides", "99");
  await page.click("#generate");
  await page.waitForFunction(() => window.deckgen.error, null, { timeout: 15000 });
  result.invalid = await page.evaluate(() => ({
    error: document.querySelector("#error").textContent,
    visible: !document.querySelector("#error").hidden,
  }));
}

async function previews(page) {
  // PNG previews: fetched with DownloadArtifact into blob: URLs and shown as <img>.
  await page.fill("#markdown", readFileSync(process.env.MARKDOWN_FILE, "utf8"));
  await page.fill("#slides", process.env.SLIDE_COUNT);
  await page.check("#png");
  await page.click("#generate");
  await page.waitForFunction(() => window.deckgen.done || window.deckgen.error, null, { timeout: 45000 });
  await page.waitForFunction(
    (n) => [...document.querySelectorAll("img.thumb")].filter((i) => i.complete && i.naturalWidth > 0).length >= n,
    Number(process.env.SLIDE_COUNT), { timeout: 10000 },
  );
  result.previews = await page.evaluate(() => ({
    error: window.deckgen.error,
    formats: [...document.querySelectorAll("#artifacts .artifact")].map((e) => e.dataset.format),
    images: [...document.querySelectorAll("img.thumb")].map((i) => ({
      src: i.src.slice(0, 5), width: i.naturalWidth, alt: i.alt,
    })),
  }));
}

async function signIn(page) {
  // Without a token the server refuses the call; with the user's Supabase token it streams.
  await fillAndGenerate(page);
  await page.waitForFunction(() => window.deckgen.error, null, { timeout: 15000 });
  result.anonymous = await page.evaluate(() => document.querySelector("#error").textContent);
  await page.fill("#token", process.env.TOKEN);
  await page.click("#generate");
  await page.waitForFunction(() => window.deckgen.done || window.deckgen.error, null, { timeout: 30000 });
  result.signed_in = await page.evaluate(() => ({
    state: window.deckgen,
    slides: document.querySelectorAll("#slides .slide").length,
  }));
}

async function layouts(page) {
  // Tables, charts, steps, statistics and code are drawn, not just titles and bullets.
  await fillAndGenerate(page);
  await page.waitForFunction(() => window.deckgen.done || window.deckgen.error, null, { timeout: 30000 });
  result.layouts = await page.evaluate(() => ({
    error: window.deckgen.error,
    slides: [...document.querySelectorAll("#slides .slide")].map((e) => ({
      title: e.querySelector("h3").textContent,
      tableCells: [...e.querySelectorAll("table.table td")].map((td) => td.textContent),
      bars: [...e.querySelectorAll(".chart .bar")].map((b) => ({
        text: b.textContent, width: parseFloat(b.querySelector(".fill").style.width),
      })),
      steps: [...e.querySelectorAll("ol.steps > li")].map((li) => li.textContent),
      statistics: [...e.querySelectorAll(".statistic .value")].map((v) => v.textContent),
      code: e.querySelector("pre.code code")?.textContent ?? null,
    })),
  }));
}

async function cancelAndResume(page) {
  // Cancel mid-stream, then resume from the last event: the deck completes, no slide twice.
  await fillAndGenerate(page);
  await page.waitForFunction(() => document.querySelectorAll("#slides .slide").length >= 2, null, { timeout: 30000 });
  await page.click("#cancel");
  await page.waitForFunction(() => !window.deckgen.running, null, { timeout: 15000 });
  result.cancelled = await page.evaluate(() => ({
    state: { ...window.deckgen },
    slides: document.querySelectorAll("#slides .slide").length,
    status: document.querySelector("#status").textContent,
    resumable: !document.querySelector("#resume").disabled,
  }));
  await page.click("#resume");
  await page.waitForFunction(() => window.deckgen.done || window.deckgen.error, null, { timeout: 30000 });
  result.resumed = await page.evaluate(() => ({
    state: window.deckgen,
    indexes: [...document.querySelectorAll("#slides .slide")].map((e) => Number(e.dataset.index)),
    status: document.querySelector("#status").textContent,
    resumable: !document.querySelector("#resume").disabled,
  }));
}

async function fillAndGenerate(page) {
  await page.fill("#markdown", readFileSync(process.env.MARKDOWN_FILE, "utf8"));
  await page.fill("#slides", process.env.SLIDE_COUNT);
  await page.click("#generate");
}
