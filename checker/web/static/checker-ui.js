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
const VERDICT_LABEL = new Map([
  ["disputed", "Disputed"],
  ["contradicts", "Contradicted"],
  ["changed", "Changed over time"],
  ["supports", "Supported"],
]);
// The legend and the summary, in this order.
const KEYS = [
  ["contradicts", "contradicted"],
  ["disputed", "disputed"],
  ["changed", "changed over time"],
  ["supports", "supported"],
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

/** POST the draft to `${apiUrl}v1/check-draft`; resolves to the JSON answer. */
export async function checkDraft({ apiUrl, apiKey, text, signal }) {
  const base = apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`;
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/json, application/problem+json",
  };
  if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
  let response;
  try {
    response = await fetch(new URL("v1/check-draft", base), {
      method: "POST",
      headers,
      body: JSON.stringify({ text }),
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ProblemError({
      title: "Cannot reach the checker",
      detail: `No answer from ${base} (is the server running, and does it allow this page?).`,
    });
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ProblemError(
      body && body.detail
        ? body
        : { title: `Error ${response.status}`, detail: "The checker gave no explanation." },
    );
  }
  return body;
}

/** createElement with attributes and children; strings become text nodes, never markup. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** `text` with the code-point `spans` wrapped in <mark>, overlapping spans merged. */
function markSpans(text, spans, className = "ck-diff") {
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
function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

const percent = (value) => `${Math.round(value * 100)}\u00a0%`; // never "73" and "%" apart

function documentLine(doc) {
  const title = doc.title || "Untitled document";
  const url = doc.url ? safeUrl(doc.url) : null;
  const name = url
    ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, title)
    : el("span", {}, title);
  const facts = [doc.source, doc.published].filter(Boolean).join(" · ");
  return el(
    "p",
    { class: "ck-doc" },
    el("strong", { class: "ck-doc-title" }, name),
    facts ? el("span", { class: "ck-doc-facts" }, facts) : null,
    el("code", { class: "ck-doc-id" }, doc.id),
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

function passageCard(passage, sentence, headingTag) {
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
      el("span", { class: "ck-badge" }, VERDICT_LABEL.get(passage.verdict) ?? passage.verdict),
      ` confidence ${percent(passage.confidence)}`,
    ),
    documentLine(passage.document),
    el("blockquote", { class: "ck-quote" }, markSpans(passage.text, passageSpans)),
    whoLine(passage),
    el(
      "p",
      { class: "ck-yours" },
      el("span", { class: "ck-label" }, "Your sentence: "),
      markSpans(sentence.text, claimSpans),
    ),
    reasons,
  );
}

/**
 * The results panel: status line, error box, highlighted draft and evidence.
 * `level` is the heading level its sections start at (2 on the page, 3 in a host page).
 */
export function createPanel({ level = 2 } = {}) {
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
      "the same fact with another value at another moment); plain: nothing found either way.",
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
  const results = el("div", { class: "ck-results", hidden: true }, draftSection, evidence);
  const root = el("div", { class: "ck-panel" }, status, error, results);
  let selected = null;

  function open(mark, sentence) {
    if (selected) {
      selected.classList.remove("ck-selected");
      selected.setAttribute("aria-expanded", "false");
    }
    selected = mark;
    mark.classList.add("ck-selected");
    mark.setAttribute("aria-expanded", "true");
    // `changed` is absent from the answers of a checker older than the change-over-time verdict.
    const passages = [
      ...sentence.contradicting,
      ...(sentence.changed ?? []),
      ...sentence.supporting,
    ];
    const cards = passages.map((passage) =>
      passageCard(passage, sentence, subheading),
    );
    const back = el("button", { type: "button", class: "ck-back" }, "Back to the sentence");
    back.addEventListener("click", () => mark.focus());
    const chosen = el("p", { class: "ck-chosen" }, el("span", { class: "ck-label" }, "Sentence: "));
    chosen.append(sentence.text);
    evidenceBody.replaceChildren(
      chosen,
      ...cards,
      back,
    );
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

  return {
    element: root,
    loading() {
      root.setAttribute("aria-busy", "true");
      const spinner = el("span", { class: "ck-spinner", "aria-hidden": "true" });
      status.replaceChildren(spinner, "Checking the draft…");
      error.hidden = true;
    },
    fail(problem) {
      root.removeAttribute("aria-busy");
      status.replaceChildren();
      error.replaceChildren(el("strong", {}, problem.title || "Error"), " ", problem.detail || "");
      error.hidden = false;
    },
    show(text, answer) {
      root.removeAttribute("aria-busy");
      status.replaceChildren();
      error.hidden = true;
      selected = null;
      const chars = Array.from(text);
      const count = (verdict) => answer.sentences.filter((s) => s.verdict === verdict).length;
      // Contradicted and supported always; disputed and changed only where there are some.
      const counts = KEYS.filter(
        ([verdict]) => count(verdict) || verdict === "contradicts" || verdict === "supports",
      ).map(([verdict, word]) => `${count(verdict)} ${word}`);
      summary.textContent =
        `${answer.sentences.length} sentence${answer.sentences.length === 1 ? "" : "s"} checked: ` +
        `${counts.join(", ")} (${Math.round(answer.took_ms)} ms).`;
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
