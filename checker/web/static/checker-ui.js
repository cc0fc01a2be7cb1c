// The front end shared by the check page (page.js) and the widget (widget.js): ask the API
// to check a draft, then draw the draft with its sentences highlighted and, for the sentence
// chosen, the evidence.
//
// Every piece of text that comes from the draft or the API goes into the DOM as text
// (text nodes, textContent), never as markup: a scraped article may contain "<script>".
//
// Offsets from the API count Unicode code points (Python's str); JavaScript strings count
// UTF-16 units, so text is sliced as arrays of code points (an emoji would shift them else).

// Maps, not object literals: a value from the API never reaches Object.prototype's members.
// A draft sentence's verdict ("disputed": some reports support it, others contradict it) and
// a passage's; "changed" is the same fact with another value at another moment, an update.
// "related": other reports speak of the sentence and do neither (its related coverage).
export const VERDICT_LABEL = new Map([
  ["disputed", "Disputed"],
  ["contradicts", "Contradicted"],
  ["changed", "Changed over time"],
  ["supports", "Supported"],
  ["related", "Covered elsewhere"],
]);
// The legend and the summary, in this order.
const KEYS = [
  ["contradicts", "contradicted"],
  ["disputed", "disputed"],
  ["changed", "changed over time"],
  ["supports", "supported"],
  ["related", "covered elsewhere"],
];
const KIND_LABEL = new Map([
  ["negation", "Negation"],
  ["number", "Number"],
  ["date", "Date"],
  ["entity", "Entity"],
  ["alignment", "Alignment"],
  ["nli", "Model (NLI)"],
]);
let panels = 0; // numbers the ids of each panel's parts

/** An error answer from the API, carrying its RFC 9457 problem+json body. */
export class ProblemError extends Error {
  constructor(problem) {
    super(`${problem.title}: ${problem.detail}`);
    this.problem = problem;
  }
}

/** What to show for any error: the API's problem, or a plain one for anything else. */
export function problemOf(error) {
  return error instanceof ProblemError ? error.problem : { title: "Error", detail: String(error) };
}

/** The API at `apiUrl`: GET `path`, or send it the JSON `body` (POST unless `method` says
 * otherwise); resolves to the JSON answer, rejects with a ProblemError carrying the HTTP
 * status (0: no answer) and, on a 429, the seconds to wait (`retryAfter`, where the browser
 * lets the page read it). */
export async function callApi({ apiUrl, apiKey, path, body, method, signal }) {
  const base = apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`;
  const headers = { Accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
  let response;
  try {
    response = await fetch(new URL(path, base), {
      method: method || (body === undefined ? "GET" : "POST"),
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ProblemError({
      title: "Cannot reach the checker",
      status: 0,
      detail: `No answer from ${base} (is the server running, and does it allow this page?).`,
    });
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    const problem =
      answer && typeof answer.detail === "string"
        ? { ...answer }
        : { title: `Error ${response.status}`, detail: "The checker gave no explanation." };
    problem.status = response.status;
    const wait = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
    if (wait > 0) problem.retryAfter = wait;
    throw new ProblemError(problem);
  }
  return answer;
}

/** The API's check options that are set: `exclude_document` (the story's own id, so that an
 * edited story is not checked against its earlier version), `sources` (a list, or text with
 * commas), `published_after` and `published_before` (YYYY-MM-DD). Empty ones are left out. */
export function checkOptions(options = {}) {
  const chosen = {};
  const text = (value) => (typeof value === "string" ? value.trim() : "");
  if (text(options.exclude_document)) chosen.exclude_document = text(options.exclude_document);
  const sources = Array.isArray(options.sources)
    ? options.sources.map(text)
    : text(options.sources).split(",").map(text);
  if (sources.some(Boolean)) chosen.sources = sources.filter(Boolean);
  for (const name of ["published_after", "published_before"]) {
    if (text(options[name])) chosen[name] = text(options[name]);
  }
  return chosen;
}

/** POST the draft to `${apiUrl}v1/check-draft` with `options` (see checkOptions). */
export async function checkDraft({ apiUrl, apiKey, text, options, signal }) {
  const chosen = checkOptions(options);
  const pieces = draftParts(text);
  if (pieces.length <= 1) {
    return callApi({ apiUrl, apiKey, path: "v1/check-draft", body: { text, ...chosen }, signal });
  }
  // A long draft goes in parts, one request each, and comes back as one answer: each
  // sentence's offsets moved by where its part starts (in code points, as the API counts).
  const merged = { sentences: [], took_ms: 0 };
  for (const piece of pieces) {
    const body = { text: piece.text, ...chosen };
    const answer = await callApi({ apiUrl, apiKey, path: "v1/check-draft", body, signal });
    merged.took_ms += answer.took_ms;
    for (const sentence of answer.sentences) {
      merged.sentences.push({
        ...sentence,
        start: sentence.start + piece.start,
        end: sentence.end + piece.start,
      });
    }
  }
  return merged;
}

// The API checks at most 200 sentences a request; a part holds at most this many sentence
// ends, so that a miscount (abbreviations, quotes) still stays under the limit.
const PART_SENTENCES = 120;
const SENTENCE_END = /[.!?…]["'”’)\]]*(\s+|$)/gu;

/** `text` cut at paragraph breaks (at sentence ends inside a very long paragraph) into parts
 * of at most PART_SENTENCES sentences: [{ text, start }], `start` in code points. */
export function draftParts(text) {
  const paragraphs = text.split(/(?<=\n\s*\n)/u).flatMap((paragraph) => {
    const ends = [...paragraph.matchAll(SENTENCE_END)].map((m) => m.index + m[0].length);
    if (ends.length <= PART_SENTENCES) return [paragraph];
    const cuts = [];
    let from = 0;
    for (let n = PART_SENTENCES - 1; n < ends.length; n += PART_SENTENCES) {
      cuts.push(paragraph.slice(from, ends[n]));
      from = ends[n];
    }
    cuts.push(paragraph.slice(from));
    return cuts;
  });
  const parts = [];
  let current = "";
  let count = 0;
  for (const paragraph of paragraphs) {
    const sentences = [...paragraph.matchAll(SENTENCE_END)].length || 1;
    if (current && count + sentences > PART_SENTENCES) {
      parts.push(current);
      current = "";
      count = 0;
    }
    current += paragraph;
    count += sentences;
  }
  if (current) parts.push(current);
  let start = 0;
  return parts.flatMap((part) => {
    const piece = { text: part, start };
    start += Array.from(part).length;
    return part.trim() ? [piece] : [];
  });
}

/** GET a stored document with its text and its sentences' offsets. */
export function getDocument({ apiUrl, apiKey, id, signal }) {
  const path = `v1/documents/${encodeURIComponent(id)}?text=1`;
  return callApi({ apiUrl, apiKey, path, signal });
}

/**
 * An API problem in an editor's words: `title` and `detail` to show, `technical` (the API's
 * own words) to show collapsed. `keyHelp` says where a key goes on this page.
 */
export function explain(problem, keyHelp = "") {
  const status = problem.status;
  const technical =
    status === undefined ? null : `${status ? `HTTP ${status} ` : ""}${problem.title}: ${problem.detail}`;
  const ask = "If it keeps happening, tell your administrator.";
  if (status === 401) {
    return {
      title: "This checker needs an access key — ask your administrator",
      detail: keyHelp,
      technical,
    };
  }
  if (status === 403) {
    return {
      title: "This access key may not do this — ask your administrator",
      detail: "The key in use is not allowed to do this; a key that may is needed.",
      technical,
    };
  }
  if (status === 429) {
    const wait = problem.retryAfter ? `${problem.retryAfter} seconds` : "a minute";
    return {
      title: "Too many checks in a short time",
      detail: `Wait ${wait} and try again.`,
      technical,
    };
  }
  if (status === 503) {
    return {
      title: "The checker is not available right now",
      detail: `It may be starting or busy; try again in a minute. ${ask}`,
      technical,
    };
  }
  if (status >= 500) {
    return {
      title: "The checker ran into a problem",
      detail: `Try again in a moment. ${ask}`,
      technical,
    };
  }
  if (status === 0) {
    return {
      title: "The checker cannot be reached",
      detail: `Check the connection and try again. ${ask}`,
      technical,
    };
  }
  // Anything else is about what was sent (a draft too long, a bad date): the API says how.
  return { title: problem.title || "Error", detail: problem.detail || "", technical: null };
}

/** Fill `box` (a role=alert element) with the problem in words, the detail collapsed. */
export function showProblem(box, problem, keyHelp = "") {
  const { title, detail, technical } = explain(problem, keyHelp);
  box.replaceChildren(el("strong", {}, title));
  if (detail) box.append(el("p", { class: "ck-error-detail" }, detail));
  if (technical) {
    box.append(
      el(
        "details",
        { class: "ck-technical" },
        el("summary", {}, "Technical detail"),
        el("code", {}, technical),
      ),
    );
  }
  box.hidden = false;
}

// An editor's decision on a stored finding (the review page, and the check page's evidence).
// Maps, not object literals: a value from the API never reaches Object.prototype's members.
export const DISMISS_REASONS = new Map([
  ["", "No reason given"],
  ["different-subjects", "Different subjects"],
  ["different-time", "Different moments"],
  ["copy", "A copy or rewording"],
  ["other", "Other"],
]);
const STATE_WORDS = new Map([
  ["open", "Open: no decision yet"],
  ["confirmed", "Confirmed"],
  ["dismissed", "Dismissed"],
]);
let decisions = 0; // numbers the ids of each set of decision controls

/** A finding's review in words: "Dismissed (A copy or rewording) by night-desk on 2026-11-26". */
export function decisionLine(review) {
  if (review.state === "open") return STATE_WORDS.get("open");
  const why = review.reason ? ` (${DISMISS_REASONS.get(review.reason) || review.reason})` : "";
  const when = review.decided_at ? review.decided_at.slice(0, 10) : "";
  return `${STATE_WORDS.get(review.state) || review.state}${why} by ${review.decided_by} on ${when}`;
}

/**
 * The decision on a finding in words (`decision`) and the buttons that change it (`group`):
 * Confirm, "Why dismiss?" and Dismiss, and Reopen once decided. `decide(state, reason)` runs
 * on a press of a button that is not busy.
 */
export function decisionControls(review, decide) {
  const reasonId = `ck-reason-${++decisions}`;
  const reason = el(
    "select",
    { id: reasonId },
    ...[...DISMISS_REASONS].map(([value, words]) => el("option", { value }, words)),
  );
  if (review.reason) reason.value = review.reason;
  const buttons = [
    el("button", { type: "button", class: "confirm", "data-decide": "confirmed" }, "Confirm"),
    el("label", { for: reasonId }, "Why dismiss?"),
    reason,
    el("button", { type: "button", class: "dismiss", "data-decide": "dismissed" }, "Dismiss"),
    review.state === "open" ? null : el("button", { type: "button", "data-decide": "open" }, "Reopen"),
  ];
  const group = el("div", { class: "decide", role: "group", "aria-label": "Decide on this flag" }, ...buttons);
  group.querySelectorAll("button[data-decide]").forEach((button) =>
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-disabled") === "true") return;
      const state = button.dataset.decide;
      decide(state, state === "dismissed" ? reason.value : "");
    }),
  );
  return {
    decision: el("p", { class: "decision" }, decisionLine(review)),
    group,
    /** Every button busy (aria-disabled keeps the focus where it is) or free again. */
    busy(on) {
      group.querySelectorAll("button").forEach((b) =>
        on ? b.setAttribute("aria-disabled", "true") : b.removeAttribute("aria-disabled"),
      );
    },
  };
}

/** After a decision has redrawn its controls inside `container`: focus the same decision's
 * button (Confirm after a reopening, whose Reopen button has gone). */
export function focusDecision(container, state) {
  const next = state === "open" ? "confirmed" : state;
  container.querySelector(`button[data-decide="${next}"]`)?.focus();
}

/** The body of PATCH /v1/discrepancies/<id> for a decision (a reason goes with a dismissal). */
export function decisionBody(state, reason) {
  return state === "dismissed" && reason ? { review: state, reason } : { review: state };
}

/** createElement with attributes and children; strings become text nodes, never markup. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** `text` with the code-point `spans` wrapped in <mark>, overlapping spans merged. */
export function markSpans(text, spans, className = "ck-diff") {
  const chars = Array.from(text);
  const ranges = spans
    .map((span) => [Math.max(0, span.start), Math.min(chars.length, span.end)])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    if (from > at) fragment.append(chars.slice(at, from).join(""));
    fragment.append(el("mark", { class: className }, chars.slice(from, end).join("")));
    at = end;
  }
  if (at < chars.length) fragment.append(chars.slice(at).join(""));
  return fragment;
}

/** Only http(s) links: a document's url could be "javascript:...". */
export function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

const percent = (value) => `${Math.round(value * 100)}\u00a0%`; // never "73" and "%" apart

function hostOf(url) {
  const safe = url ? safeUrl(url) : null;
  return safe ? new URL(safe).hostname.replace(/^www\./, "") : null;
}

/** The first `count` words of `text`, with an ellipsis when there are more. */
export function firstWords(text, count = 10) {
  const words = String(text).trim().split(/\s+/).filter(Boolean);
  return words.slice(0, count).join(" ") + (words.length > count ? "…" : "");
}

/** What to call a document: its title, else its source or website, else (when its text is
 * at hand) its first words; null when none of these is known. */
export function documentName(doc, text = "") {
  const title = typeof doc.title === "string" ? doc.title.trim() : "";
  return title || doc.source || hostOf(doc.url) || (text.trim() ? firstWords(text) : null);
}

// The API key a page was given, kept for this tab only (sessionStorage forgets it with the
// tab; a tab the check page opens starts with a copy): one item for every page of the app.
const KEY_ITEM = "checker-api-key";

/** Fill `input` with the tab's key and keep what is typed there; `changed` runs after. */
export function rememberKey(input, changed = () => {}) {
  input.value = sessionStorage.getItem(KEY_ITEM) || "";
  input.addEventListener("change", () => {
    sessionStorage.setItem(KEY_ITEM, input.value.trim());
    changed();
  });
}

/** Where the app shows a document with one of its sentences highlighted. */
export function documentHref(appUrl, documentId, sentenceId) {
  const base = appUrl.endsWith("/") ? appUrl : `${appUrl}/`;
  const href = new URL(`documents/${encodeURIComponent(documentId)}`, base);
  if (sentenceId) href.searchParams.set("sentence", sentenceId);
  return href.href;
}

function documentLine(doc) {
  const known = documentName(doc);
  const url = doc.url ? safeUrl(doc.url) : null;
  const id = el("code", { class: "ck-doc-id" }, doc.id);
  // No name known: the id names it, once (a CMS's ids are often the story's slug).
  const title = known ?? el("span", {}, "Report ", id);
  const name = url
    ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, title)
    : el("span", {}, title);
  const facts = [known === doc.source ? null : doc.source, doc.published]
    .filter(Boolean)
    .join(" · ");
  return el(
    "p",
    { class: "ck-doc" },
    el("strong", { class: "ck-doc-title" }, name),
    facts ? el("span", { class: "ck-doc-facts" }, facts) : null,
    known ? id : null,
  );
}

/** Who asserts the passage and the day it speaks of; null when neither is known. */
function whoLine(passage) {
  const who = passage.attribution ? passage.attribution.text : null;
  const anchor = passage.anchor;
  const when = anchor
    ? `as of ${anchor.date}${anchor.source === "published" ? " (publication date)" : ""}`
    : null;
  if (!who && !when) return null;
  return el(
    "p",
    { class: "ck-who" },
    who ? el("span", { class: "ck-label" }, "Who says it: ") : null,
    who ? el("span", { class: "ck-attribution" }, who) : null,
    who && when ? " · " : null,
    when ? el("span", { class: "ck-anchor" }, when) : null,
  );
}

/** A link to the passage in its whole document, on the app's document page. */
function contextLink(passage, links) {
  if (!links.appUrl) return null;
  const href = documentHref(links.appUrl, passage.document.id, passage.sentence_id);
  // The page opens it beside itself with `opener`, so the tab's key goes with it; the
  // widget, inside someone else's page, gives the new tab nothing.
  const rel = links.sameApp ? "opener" : "noopener";
  return el(
    "p",
    { class: "ck-context" },
    el(
      "a",
      { href, target: "_blank", rel },
      "Read it in the whole report",
      el("span", { class: "ck-visually-hidden" }, " (opens in a new tab)"),
    ),
  );
}

/** The sentence before or after the passage in its report, muted (`context` may be absent
 * from a checker older than it, and is null at either end of a report). */
function around(passage, side) {
  const text = passage.context?.[side];
  if (!text) return null;
  const words = side === "before" ? "Before it in the report: " : "After it in the report: ";
  return el("p", { class: "ck-around" }, el("span", { class: "ck-visually-hidden" }, words), text);
}

// The verdicts of a passage that the nightly scan stores as a finding, which editors decide on.
const FLAGGED = new Set(["contradicts", "changed"]);

/**
 * On the check page (`triage` given): the editors' decision on the stored finding that this
 * passage makes with the story's own stored sentence, and the buttons that change it through
 * PATCH /v1/discrepancies/<id>; a short note where the sentence is stored but the pair is not
 * a finding. Null for a passage that is not a flag, or where the evidence says why once.
 */
function triageBox(passage, sentence, triage) {
  if (!triage || !FLAGGED.has(passage.verdict)) return null;
  if (!passage.finding) {
    return sentence.stored_as
      ? el("p", { class: "ck-triage-note" }, "The nightly scan has not flagged this pair: there is no decision to make on it.")
      : null;
  }
  const slot = el("div", {});
  const said = el("p", { class: "ck-visually-hidden", role: "status" });
  const problem = el("div", { class: "ck-error", role: "alert", hidden: true });
  const box = el(
    "div",
    { class: "ck-triage" },
    el("p", { class: "ck-triage-head" }, "Flagged by the nightly scan: your decision holds until either sentence changes."),
    slot,
    said,
    problem,
  );
  function draw() {
    box.dataset.review = passage.finding.review.state;
    const controls = decisionControls(passage.finding.review, async (state, reason) => {
      controls.busy(true);
      problem.hidden = true;
      try {
        const path = `v1/discrepancies/${passage.finding.id}`;
        const updated = await triage.api(path, { method: "PATCH", body: decisionBody(state, reason) });
        passage.finding = { id: updated.id, review: updated.review };
        draw();
        said.textContent = `${decisionLine(updated.review)}.`;
        focusDecision(slot, state);
      } catch (error) {
        controls.busy(false);
        showProblem(problem, problemOf(error), triage.keyHelp);
        triage.failed?.(problemOf(error));
      }
    });
    slot.replaceChildren(controls.decision, controls.group);
  }
  draw();
  return box;
}

/** Why the flags of a sentence cannot be decided on from the draft (null when they can, or
 * when it has none): decisions belong to pairs of stored sentences. */
function triageNote(sentence, triage) {
  const flags = [...sentence.contradicting, ...(sentence.changed ?? [])];
  if (!triage || !flags.length || flags.some((p) => p.finding)) return null;
  if (!("stored_as" in sentence)) {
    return el(
      "p",
      { class: "ck-triage-note" },
      "To confirm or dismiss these flags, give this story's id under Options: decisions are " +
        "kept on pairs of stored reports, so only a stored story's sentences can be decided on.",
    );
  }
  if (sentence.stored_as === null) {
    return el(
      "p",
      { class: "ck-triage-note" },
      "This sentence is not in the stored story (it was written or edited since the story was " +
        "saved), so there is no decision to make on it yet. Once the saved story has been " +
        "scanned, its flags can be decided here or on the review page.",
    );
  }
  return null;
}

function passageCard(passage, sentence, headingTag, links = {}) {
  const claimSpans = passage.reasons.flatMap((reason) => reason.claim_spans);
  const passageSpans = passage.reasons.flatMap((reason) => reason.passage_spans);
  const reasons = el("ul", { class: "ck-reasons" });
  for (const reason of passage.reasons) {
    reasons.append(
      el(
        "li",
        {},
        el("span", { class: "ck-kind" }, KIND_LABEL.get(reason.kind) ?? reason.kind),
        ` ${reason.detail} `,
        el("span", { class: "ck-confidence" }, `(${percent(reason.confidence)})`),
      ),
    );
  }
  return el(
    "article",
    { class: `ck-passage ck-${passage.verdict}` },
    el(
      headingTag,
      { class: "ck-passage-head" },
      el(
        "span",
        { class: "ck-badge" },
        passage.verdict === "related" ? "Related" : VERDICT_LABEL.get(passage.verdict) ?? passage.verdict,
      ),
      // A related passage was not judged either way: how close it is, not a confidence.
      passage.verdict === "related"
        ? ` similarity ${passage.similarity.toFixed(2)}`
        : ` confidence ${percent(passage.confidence)}`,
    ),
    documentLine(passage.document),
    around(passage, "before"),
    el("blockquote", { class: "ck-quote" }, markSpans(passage.text, passageSpans)),
    around(passage, "after"),
    contextLink(passage, links),
    whoLine(passage),
    el(
      "p",
      { class: "ck-yours" },
      el("span", { class: "ck-label" }, "Your sentence: "),
      markSpans(sentence.text, claimSpans),
    ),
    reasons,
    triageBox(passage, sentence, links.triage),
  );
}

/**
 * A draft sentence's evidence: the sentence, then a card per passage (`headingTag` heads
 * each); `links` as createPanel makes them. The check page's panel and the widget's popover
 * show the same.
 */
export function evidenceOf(sentence, headingTag, links = {}) {
  // `changed` and `related` are absent from the answers of older checkers. Related coverage
  // is the evidence only where no report supports, contradicts or updates the sentence.
  const judged = [...sentence.contradicting, ...(sentence.changed ?? []), ...sentence.supporting];
  const passages = judged.length ? judged : (sentence.related ?? []);
  const chosen = el("p", { class: "ck-chosen" }, el("span", { class: "ck-label" }, "Sentence: "));
  chosen.append(sentence.text);
  return [
    chosen,
    triageNote(sentence, links.triage) ?? "",
    ...passages.map((passage) => passageCard(passage, sentence, headingTag, links)),
  ];
}

/** "3 sentences checked: 1 contradicted, 0 supported (48 ms)." for a draft's answer. */
export function summaryOf(answer) {
  const count = (verdict) => answer.sentences.filter((s) => s.verdict === verdict).length;
  // Contradicted and supported always; the others only where there are some.
  const counts = KEYS.filter(
    ([verdict]) => count(verdict) || verdict === "contradicts" || verdict === "supports",
  ).map(([verdict, word]) => `${count(verdict)} ${word}`);
  const n = answer.sentences.length;
  return `${n} sentence${n === 1 ? "" : "s"} checked: ${counts.join(", ")} (${Math.round(answer.took_ms)} ms).`;
}

/**
 * The results panel: status line, error box, highlighted draft and evidence.
 * `level` is the heading level its sections start at (2 on the page, 3 in a host page);
 * `appUrl` the checker's root, whose document pages the evidence links to (`sameApp`: the
 * panel is on the checker's own page); `keyHelp` says where a key goes when one is needed;
 * `triage` (the check page's) lets an editor decide on stored flags from the evidence:
 * `{ api(path, options), failed(problem) }`, the API with the page's key and what to do when
 * a decision fails.
 */
export function createPanel({ level = 2, appUrl = "", sameApp = false, keyHelp = "", triage = null } = {}) {
  const heading = `h${level}`;
  const subheading = `h${level + 1}`;
  const evidenceId = `ck-evidence-${++panels}`;
  const status = el("p", { class: "ck-status", role: "status", "aria-live": "polite" });
  const error = el("div", { class: "ck-error", role: "alert", hidden: true });
  const draft = el("div", { class: "ck-draft" });
  const summary = el("p", { class: "ck-summary" });
  const evidenceTitle = el(heading, { tabindex: "-1" }, "Evidence");
  const evidenceBody = el(
    "div",
    { class: "ck-evidence-body" },
    el("p", { class: "ck-hint" }, "Select a highlighted sentence to see its evidence."),
  );
  const legend = el("p", { class: "ck-legend" }, "Marked ");
  KEYS.forEach(([verdict, word], n) => {
    if (n) legend.append(n === KEYS.length - 1 ? " or " : ", ");
    legend.append(el("span", { class: `ck-key ck-${verdict}` }, word));
  });
  legend.append(
    " by other reports (disputed: some support it, others contradict it; changed over time: " +
      "the same fact with another value at another moment; covered elsewhere: other reports " +
      "speak of it and do neither); plain: nothing related found.",
  );
  const draftSection = el(
    "section",
    { class: "ck-draft-section" },
    el(heading, {}, "Your draft"),
    summary,
    legend,
    draft,
  );
  // No aria-live here: opening the evidence moves the focus to it, which announces it.
  const evidence = el(
    "section",
    { class: "ck-evidence", id: evidenceId },
    evidenceTitle,
    evidenceBody,
  );
  // Shown over results that no longer match the draft (edited since, or being re-checked).
  const staleNote = el(
    "p",
    { class: "ck-stale-note", hidden: true },
    "Out of date: the draft has changed since this check. Check again to update the marks.",
  );
  const results = el(
    "div",
    { class: "ck-results", hidden: true },
    staleNote,
    draftSection,
    evidence,
  );
  const root = el("div", { class: "ck-panel" }, status, error, results);
  const links = { appUrl, sameApp, triage: triage && { keyHelp, ...triage } };
  let selected = null;

  function open(mark, sentence) {
    if (selected) {
      selected.classList.remove("ck-selected");
      selected.setAttribute("aria-expanded", "false");
    }
    selected = mark;
    mark.classList.add("ck-selected");
    mark.setAttribute("aria-expanded", "true");
    const back = el("button", { type: "button", class: "ck-back" }, "Back to the sentence");
    back.addEventListener("click", () => mark.focus());
    evidenceBody.replaceChildren(...evidenceOf(sentence, subheading, links), back);
    // Keyboard and screen-reader users land on the evidence. Where it is stacked under the
    // draft (a phone, a narrow editor) it is brought to the top; beside the draft it sticks.
    evidenceTitle.focus({ preventScroll: true });
    const stacked =
      evidence.getBoundingClientRect().top > draftSection.getBoundingClientRect().top + 1;
    evidence.scrollIntoView({ block: stacked ? "start" : "nearest" });
  }

  evidence.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && selected) selected.focus();
  });

  function sentenceMark(sentence, text, index) {
    const label = VERDICT_LABEL.get(sentence.verdict);
    const mark = el(
      "mark",
      {
        class: `ck-sentence ck-${sentence.verdict}`,
        role: "button",
        tabindex: "0",
        "aria-expanded": "false",
        "aria-controls": evidenceId,
        "data-index": index,
        title: `${label}: show the evidence`,
      },
      text,
      el("span", { class: "ck-visually-hidden" }, ` (${label.toLowerCase()})`),
    );
    mark.addEventListener("click", () => open(mark, sentence));
    mark.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        open(mark, sentence);
      }
    });
    return mark;
  }

  function markStale(note) {
    if (results.hidden) return;
    results.classList.add("ck-stale");
    if (note && staleNote.hidden) {
      staleNote.hidden = false;
      // Said once to screen readers through the live status line (unless a check is under
      // way, whose answer replaces these marks anyway); seen in the note.
      if (!root.hasAttribute("aria-busy")) {
        const words = el("span", { class: "ck-visually-hidden" }, staleNote.textContent);
        status.replaceChildren(words);
      }
    }
  }

  return {
    element: root,
    loading() {
      root.setAttribute("aria-busy", "true");
      markStale(false); // the marks on show are the last check's until the answer comes
      const spinner = el("span", { class: "ck-spinner", "aria-hidden": "true" });
      status.replaceChildren(spinner, "Checking the draft…");
      error.hidden = true;
    },
    /** The draft has changed since the marks on show were made: say they are out of date. */
    stale() {
      markStale(true);
    },
    fail(problem) {
      root.removeAttribute("aria-busy");
      status.replaceChildren();
      // Never old marks under a new error: they would read as the answer to this request.
      results.hidden = true;
      showProblem(error, problem, keyHelp);
    },
    show(text, answer) {
      root.removeAttribute("aria-busy");
      status.replaceChildren();
      error.hidden = true;
      staleNote.hidden = true;
      results.classList.remove("ck-stale");
      selected = null;
      const chars = Array.from(text);
      const count = (verdict) => answer.sentences.filter((s) => s.verdict === verdict).length;
      summary.textContent = summaryOf(answer);
      const pieces = [];
      let at = 0;
      answer.sentences.forEach((sentence, index) => {
        if (sentence.start > at) pieces.push(chars.slice(at, sentence.start).join(""));
        const piece = chars.slice(sentence.start, sentence.end).join("");
        const marked = VERDICT_LABEL.has(sentence.verdict);
        pieces.push(marked ? sentenceMark(sentence, piece, index) : piece);
        at = Math.max(at, sentence.end);
      });
      if (at < chars.length) pieces.push(chars.slice(at).join(""));
      draft.replaceChildren(...pieces);
      evidenceBody.replaceChildren(
        el(
          "p",
          { class: "ck-hint" },
          KEYS.some(([verdict]) => count(verdict))
            ? "Select a highlighted sentence to see its evidence."
            : "No sentence of the draft is supported or contradicted by the documents.",
        ),
      );
      results.hidden = false;
      // On a phone the answer starts below the fold: show its beginning.
      if (draftSection.getBoundingClientRect().top > window.innerHeight * 0.75) {
        draftSection.scrollIntoView({ block: "start" });
      }
    },
  };
}
