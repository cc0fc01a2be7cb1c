// The review page (/review): list what the scan flagged, and let an editor confirm or dismiss
// each flag through PATCH /v1/discrepancies/<id>. Every piece of text from the API goes into
// the DOM as text (textContent, text nodes), never as markup.
//
// Offsets from the API count Unicode code points (markSpans slices text as code points).

import {
  callApi,
  decisionBody,
  decisionControls,
  decisionLine,
  documentHref,
  documentName,
  el,
  focusDecision,
  markSpans,
  problemOf,
  rememberKey,
  showProblem,
} from "./checker-ui.js";

const PAGE = 50;

const root = document.getElementById("review");
const base = new URL(root.dataset.apiUrl, document.baseURI);
const appUrl = new URL(root.dataset.appUrl, document.baseURI);
const list = document.getElementById("findings");
const show = document.getElementById("show");
const status = document.getElementById("status");
const problemBox = document.getElementById("problem");
const more = document.getElementById("more");
const keyBox = document.getElementById("key-box");
const keyInput = document.getElementById("api-key");
rememberKey(keyInput, () => load(true)); // the check page's key, one per tab
let offset = 0;

/** The API with the tab's key: GET `path`, or send it `body` with `method`. */
function api(path, options = {}) {
  return callApi({ apiUrl: base.href, apiKey: keyInput.value.trim(), path, ...options });
}

function fail(error) {
  showProblem(problemBox, problemOf(error), "Enter the key your administrator gave you above.");
  if ([401, 403].includes(problemOf(error).status)) keyBox.open = true;
}

/** The report's name (as the check page names it), its outlet and its day. */
function where(doc) {
  const name = documentName(doc) || doc.id;
  const outlet = doc.source && doc.source !== name ? ` · ${doc.source}` : "";
  const day = doc.published ? ` (${String(doc.published).slice(0, 10)})` : "";
  return `${name}${outlet}${day}`;
}

function side(finding, which) {
  const s = finding[which];
  const spans = finding.reasons.flatMap((r) =>
    (which === "a" ? r.claim_spans : r.passage_spans).map((span) => span),
  );
  const link = documentHref(appUrl.href, s.document.id, s.sentence_id);
  const who = s.attribution ? el("p", { class: "who" }, `Who says it: ${s.attribution.text}`) : null;
  return el(
    "div",
    { class: "side" },
    el("p", { class: "where" }, where(s.document)),
    who,
    el("blockquote", {}, markSpans(s.text, spans, "review-diff")),
    el("a", { href: link, target: "_blank", rel: "noopener" }, "Read it in context"),
  );
}

function card(finding) {
  const article = el("article", {
    class: `finding is-${finding.verdict === "changed" ? "changed" : finding.verdict} is-${finding.review.state}`,
    "data-finding-id": finding.id,
    "data-review": finding.review.state,
    "aria-labelledby": `finding-${finding.id}-title`,
  });
  const apart =
    finding.days_apart === null ? "" : finding.days_apart === 0 ? " · published the same day" : ` · published ${finding.days_apart} day${finding.days_apart === 1 ? "" : "s"} apart`;
  const controls = decisionControls(finding.review, (state, reason) =>
    decide(article, finding, controls, state, reason),
  );
  article.append(
    el("h2", { id: `finding-${finding.id}-title` }, finding.headline),
    el("p", { class: "meta" }, `Confidence ${Math.round(finding.confidence * 100)}\u00a0%${apart} · found ${finding.created_at.slice(0, 10)}`),
    el("div", { class: "sides" }, side(finding, "a"), side(finding, "b")),
    el("ul", { class: "why", "aria-label": "Why it was flagged" }, ...finding.reasons.map((r) => el("li", {}, r.detail))),
    controls.decision,
    controls.group,
  );
  return el("li", {}, article);
}

async function decide(article, finding, controls, state, reason) {
  controls.busy(true);
  problemBox.hidden = true;
  try {
    const updated = await api(`v1/discrepancies/${finding.id}`, {
      method: "PATCH",
      body: decisionBody(state, reason),
    });
    const replacement = card(updated);
    article.parentElement.replaceWith(replacement);
    status.textContent = `${updated.headline}: ${decisionLine(updated.review)}.`;
    focusDecision(replacement, state);
  } catch (problem) {
    controls.busy(false);
    fail(problem);
  }
}

async function load(fresh) {
  if (fresh) {
    offset = 0;
    list.replaceChildren();
  }
  problemBox.hidden = true;
  status.textContent = "Loading…";
  try {
    const page = await api(`v1/discrepancies?review=${encodeURIComponent(show.value)}&limit=${PAGE}&offset=${offset}`);
    list.append(...page.items.map(card));
    offset += page.items.length;
    more.hidden = offset >= page.total;
    const chosen = show.options[show.selectedIndex].textContent.toLowerCase();
    status.textContent =
      page.total === 0 ? `Nothing to review (${chosen}).` : `Showing ${offset} of ${page.total} (${chosen}).`;
  } catch (problem) {
    status.textContent = "";
    more.hidden = true;
    fail(problem);
  }
}

show.addEventListener("change", () => load(true));
more.addEventListener("click", () => load(false));
load(true);
