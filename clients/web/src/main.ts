// deckgen in the browser: GeneratePresentation over grpc-web, rendered as the stream arrives.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { ArtifactFormat, type Artifact } from "./gen/deckgen/v1/presentation_pb.js";
import {
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
}
const state: PageState = { running: false, done: false, error: null, outlineTimes: [], slideTimes: [] };
(window as unknown as { deckgen: PageState }).deckgen = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>("form");
const outlineList = $<HTMLOListElement>("outline");
const slidesBox = $<HTMLDivElement>("slides");
const artifactsList = $<HTMLUListElement>("artifacts");
const statusLine = $<HTMLParagraphElement>("status");
const errorBox = $<HTMLDivElement>("error");

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

function showError(err: unknown) {
  const e = ConnectError.from(err);
  const text = `${codeName(e.code)} (${e.code}): ${e.rawMessage}`;
  state.error = text;
  errorBox.textContent = text;
  errorBox.hidden = false;
}

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
  errorBox.hidden = true;
  pendingPreviews = [];
  Object.assign(state, { running: true, done: false, error: null, outlineTimes: [], slideTimes: [] });
  statusLine.textContent = "Starting…";
  try {
    for await (const event of client.generatePresentation(request)) {
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
        case "slide": {
          const slide = ev.value.slide;
          if (!slide) break;
          const card = el("section", undefined, "slide");
          card.dataset.index = String(slide.index);
          card.append(el("h3", `${slide.index + 1}. ${slide.title}`));
          if (slide.subtitle) card.append(el("p", slide.subtitle, "subtitle"));
          if (slide.bullets.length) {
            const ul = el("ul");
            for (const b of slide.bullets) {
              const li = el("li", b.text);
              li.style.marginLeft = `${b.level * 1.5}em`;
              ul.append(li);
            }
            card.append(ul);
          }
          if (slide.body) card.append(el("p", slide.body, "body"));
          slidesBox.append(card);
          state.slideTimes.push(performance.now());
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
    showError(err);
    statusLine.textContent = "Failed.";
  } finally {
    state.running = false;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void generate();
});
