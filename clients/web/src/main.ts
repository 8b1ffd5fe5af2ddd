// deckgen in the browser: GeneratePresentation over grpc-web, rendered as the stream arrives.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { ArtifactFormat, type Artifact, type Slide } from "./gen/deckgen/v1/presentation_pb.js";
import {
  type GeneratePresentationRequest,
  GeneratePresentationRequestSchema,
  PresentationService,
  SourceDocumentSchema,
} from "./gen/deckgen/v1/presentation_service_pb.js";

// The grpc-web endpoint: `?api=https://host:port` or, by default, the page's own origin.
const params = new URLSearchParams(location.search);
const baseUrl = params.get("api") ?? location.origin;

/**
 * The signed-in user's Supabase access token, sent as `authorization: Bearer …` on every call.
 * An app embedding this page sets `window.deckgenToken` to a function that returns the current
 * session's token (supabase-js refreshes it), e.g.
 *   window.deckgenToken = async () => (await supabase.auth.getSession()).data.session?.access_token;
 * Otherwise the token pasted into the page's field is used. Never put a token in the URL: URLs
 * end up in logs and browser history.
 */
type TokenSource = () => string | undefined | Promise<string | undefined>;
const pastedToken = () => (document.getElementById("token") as HTMLInputElement | null)?.value.trim();
const bearer: Interceptor = (next) => async (req) => {
  const source = (window as unknown as { deckgenToken?: TokenSource }).deckgenToken ?? pastedToken;
  const token = await source();
  if (token) req.header.set("authorization", `Bearer ${token}`);
  return next(req);
};
const transport = createGrpcWebTransport({
  baseUrl,
  useBinaryFormat: params.get("format") !== "text",
  interceptors: [bearer],
});
const client = createClient(PresentationService, transport);

/** What the page exposes for tests and debugging: arrival times of outline items and slides. */
interface PageState {
  running: boolean;
  done: boolean;
  error: string | null;
  outlineTimes: number[];
  slideTimes: number[];
  /** The last event's resume_token: Resume continues the stream after it. */
  resumeToken: string;
  cancelled: boolean;
}
const state: PageState = {
  running: false,
  done: false,
  error: null,
  outlineTimes: [],
  slideTimes: [],
  resumeToken: "",
  cancelled: false,
};
(window as unknown as { deckgen: PageState }).deckgen = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>("form");
const outlineList = $<HTMLOListElement>("outline");
const slidesBox = $<HTMLDivElement>("slides");
const artifactsList = $<HTMLUListElement>("artifacts");
const statusLine = $<HTMLParagraphElement>("status");
const errorBox = $<HTMLDivElement>("error");
const cancelButton = $<HTMLButtonElement>("cancel");
const resumeButton = $<HTMLButtonElement>("resume");

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

/** `InvalidArgument` → `invalid_argument`, the gRPC status name. */
function codeName(code: Code): string {
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

async function download(artifact: Artifact): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const part of client.downloadArtifact({ name: artifact.name })) {
    chunks.push(part.data);
  }
  const type = artifact.mediaType || "application/octet-stream";
  return URL.createObjectURL(new Blob(chunks as BlobPart[], { type }));
}

// The server lists a generation's files only once it is complete (DownloadArtifact answers NOT_FOUND
// for an `artifact` event's file until then), so previews are fetched after the stream ends.
let pendingPreviews: Array<() => void> = [];

function showArtifact(artifact: Artifact) {
  const item = el("li", undefined, "artifact");
  item.dataset.format = ArtifactFormat[artifact.format];
  const link = el("a", `${ArtifactFormat[artifact.format]} ${artifact.name} (${artifact.sizeBytes} bytes)`);
  link.href = "#";
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    try {
      link.href = await download(artifact);
      link.download = artifact.name.split("/").pop() ?? "artifact";
      link.click();
    } catch (err) {
      showError(err);
    }
  }, { once: true });
  item.append(link);
  if (artifact.format === ArtifactFormat.PNG) {
    pendingPreviews.push(() =>
      download(artifact).then((url) => {
        const img = el("img", undefined, "thumb");
        img.src = url;
        img.alt = `Preview of slide ${(artifact.slideIndex ?? 0) + 1}`;
        item.append(img);
      }, showError),
    );
  }
  artifactsList.append(item);
}

function bulletList(bullets: Slide["bullets"]): HTMLUListElement {
  const ul = el("ul");
  for (const b of bullets) {
    const li = el("li", b.text);
    li.style.marginLeft = `${b.level * 1.5}em`;
    ul.append(li);
  }
  return ul;
}

/** Every kind of slide content, drawn plainly; a picture is fetched like a preview. */
function slideCard(slide: Slide): HTMLElement {
  const card = el("section", undefined, "slide");
  card.dataset.index = String(slide.index);
  card.append(el("h3", `${slide.index + 1}. ${slide.title}`));
  if (slide.subtitle) card.append(el("p", slide.subtitle, "subtitle"));
  if (slide.bullets.length) card.append(bulletList(slide.bullets));
  if (slide.body) card.append(el("p", slide.body, "body"));
  for (const column of [slide.leftColumn, slide.rightColumn]) {
    if (!column) continue;
    const box = el("div", undefined, "column");
    if (column.heading) box.append(el("h4", column.heading));
    if (column.bullets.length) box.append(bulletList(column.bullets));
    if (column.body) box.append(el("p", column.body));
    card.append(box);
  }
  if (slide.table && (slide.table.header.length || slide.table.rows.length)) {
    const table = el("table", undefined, "table");
    const head = el("tr");
    for (const cell of slide.table.header) head.append(el("th", cell));
    table.append(head);
    for (const row of slide.table.rows) {
      const tr = el("tr");
      for (const cell of row.cells) tr.append(el("td", cell));
      table.append(tr);
    }
    card.append(table);
  }
  if (slide.chart && slide.chart.series.length) {
    // A bar per category and series, as wide as its share of the largest value.
    const chart = el("div", undefined, "chart");
    chart.setAttribute("role", "img");
    chart.setAttribute("aria-label", slide.chart.altText || slide.chart.title);
    if (slide.chart.title) chart.append(el("h4", slide.chart.title));
    const max = Math.max(1e-9, ...slide.chart.series.flatMap((s) => s.values.map(Math.abs)));
    slide.chart.categories.forEach((category, i) => {
      for (const series of slide.chart!.series) {
        const value = series.values[i] ?? 0;
        const row = el("div", undefined, "bar");
        row.append(el("span", `${category}${series.name ? ` · ${series.name}` : ""}: ${value}`));
        const fill = el("span", undefined, "fill");
        fill.style.width = `${(Math.abs(value) / max) * 100}%`;
        row.append(fill);
        chart.append(row);
      }
    });
    card.append(chart);
  }
  if (slide.steps.length) {
    const ol = el("ol", undefined, "steps");
    for (const step of slide.steps) {
      const li = el("li");
      if (step.label) li.append(el("strong", `${step.label} `));
      li.append(el("span", step.title));
      if (step.detail) li.append(el("div", step.detail, "detail"));
      ol.append(li);
    }
    card.append(ol);
  }
  if (slide.statistics.length) {
    const stats = el("div", undefined, "statistics");
    for (const stat of slide.statistics) {
      const box = el("div", undefined, "statistic");
      box.append(el("div", stat.value, "value"), el("div", stat.label, "label"));
      if (stat.context) box.append(el("div", stat.context, "context"));
      stats.append(box);
    }
    card.append(stats);
  }
  if (slide.code?.text) {
    const pre = el("pre", undefined, "code");
    const code = el("code", slide.code.text);
    if (slide.code.language) code.dataset.language = slide.code.language;
    pre.append(code);
    card.append(pre);
  }
  if (slide.quote?.text) {
    const quote = el("blockquote", slide.quote.text, "quote");
    if (slide.quote.attribution) quote.append(el("footer", `— ${slide.quote.attribution}`));
    card.append(quote);
  }
  if (slide.image?.uri) {
    const img = el("img", undefined, "picture");
    img.alt = slide.image.altText;
    const uri = slide.image.uri;
    // An artifact is stored only when the generation completes; other URIs load directly.
    if (uri.startsWith("presentations/")) {
      pendingPreviews.push(() =>
        download({ name: uri } as Artifact).then((url) => { img.src = url; }, showError),
      );
    } else {
      img.src = uri;
    }
    card.append(img);
  }
  return card;
}

function showError(err: unknown) {
  const e = ConnectError.from(err);
  const text = `${codeName(e.code)} (${e.code}): ${e.rawMessage}`;
  state.error = text;
  errorBox.textContent = text;
  errorBox.hidden = false;
}

let abort: AbortController | null = null;
let lastRequest: GeneratePresentationRequest | null = null;

async function generate() {
  const data = new FormData(form);
  const markdown = String(data.get("markdown") ?? "").trim();
  const formats = [ArtifactFormat.PPTX];
  if (data.get("png")) formats.push(ArtifactFormat.PNG);
  const request = create(GeneratePresentationRequestSchema, {
    topic: String(data.get("topic") ?? "").trim(),
    slideCount: Number(data.get("slides") || 0),
    outputFormats: formats,
    sources: markdown
      ? [create(SourceDocumentSchema, {
          name: "pasted.md",
          mediaType: "text/markdown",
          content: new TextEncoder().encode(markdown),
        })]
      : [],
  });

  outlineList.replaceChildren();
  slidesBox.replaceChildren();
  artifactsList.replaceChildren();
  pendingPreviews = [];
  Object.assign(state, { outlineTimes: [], slideTimes: [], resumeToken: "" });
  lastRequest = request;
  statusLine.textContent = "Starting…";
  await stream(request);
}

/** Resume: the same request with the last event's token; the server sends only what came after. */
async function resume() {
  if (!lastRequest || !state.resumeToken) return;
  statusLine.textContent = "Resuming…";
  await stream({ ...lastRequest, resumeToken: state.resumeToken });
}

async function stream(request: GeneratePresentationRequest) {
  abort = new AbortController();
  errorBox.hidden = true;
  Object.assign(state, { running: true, done: false, error: null, cancelled: false });
  cancelButton.disabled = false;
  resumeButton.disabled = true;
  try {
    for await (const event of client.generatePresentation(request, { signal: abort.signal })) {
      if (event.resumeToken) state.resumeToken = event.resumeToken;
      const ev = event.event;
      switch (ev.case) {
        case "accepted":
          statusLine.textContent = `Accepted: ${event.presentation}`;
          break;
        case "outlineItem": {
          const li = el("li", ev.value.item?.title ?? "", "outline-item");
          li.dataset.index = String(ev.value.index);
          outlineList.append(li);
          state.outlineTimes.push(performance.now());
          break;
        }
        case "outline": {
          // An outline made at once (no model, or the caller's own) comes whole, without items.
          if (outlineList.children.length > 0) break;
          (ev.value.outline?.items ?? []).forEach((item, index) => {
            const li = el("li", item.title, "outline-item");
            li.dataset.index = String(index);
            outlineList.append(li);
            state.outlineTimes.push(performance.now());
          });
          break;
        }
        case "slide": {
          const slide = ev.value.slide;
          if (!slide) break;
          slidesBox.querySelector(`.slide[data-index="${slide.index}"]`)?.remove();
          slidesBox.append(slideCard(slide));
          state.slideTimes.push(performance.now());
          // A slide stands in for a progress event (none follows each slide).
          if (ev.value.fraction > 0) {
            statusLine.textContent = `${Math.round(ev.value.fraction * 100)} % slide ${slidesBox.children.length} of ${ev.value.totalSlides}`;
          }
          break;
        }
        case "artifact":
          showArtifact(ev.value.artifact!);
          break;
        case "image":
          if (ev.value.artifact) showArtifact(ev.value.artifact);
          break;
        case "progress":
          statusLine.textContent = `${Math.round(ev.value.fraction * 100)} % ${ev.value.message}`;
          break;
        case "warning":
          statusLine.textContent = `Warning ${ev.value.code}: ${ev.value.message}`;
          break;
        case "completed":
          statusLine.textContent = "Done.";
          break;
      }
    }
    state.done = true;
    for (const fetchPreview of pendingPreviews.splice(0)) fetchPreview();
  } catch (err) {
    if (state.cancelled) {
      statusLine.textContent = "Cancelled.";
    } else {
      showError(err);
      statusLine.textContent = "Failed.";
    }
  } finally {
    state.running = false;
    cancelButton.disabled = true;
    // A stream that stopped before `completed` can be continued from its last event.
    resumeButton.disabled = state.done || !state.resumeToken;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void generate();
});
cancelButton.addEventListener("click", () => {
  state.cancelled = true;
  abort?.abort();
});
resumeButton.addEventListener("click", () => void resume());
