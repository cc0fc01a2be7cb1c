// The document page: one stored report, read through the API (with the tab's key where the
// checker has keys), its text shown as text, the passage named by `?sentence=` highlighted
// and brought into view.
//
// Offsets from the API count Unicode code points, so the text is sliced as code points.
import {
  documentName,
  el,
  firstWords,
  getDocument,
  problemOf,
  rememberKey,
  safeUrl,
  showProblem,
} from "./checker-ui.js";

const main = document.getElementById("document");
const heading = document.getElementById("doc-title");
const facts = document.getElementById("doc-facts");
const status = document.getElementById("doc-status");
const error = document.getElementById("doc-error");
const notice = document.getElementById("doc-notice");
const body = document.getElementById("document-text");
const skip = document.getElementById("skip");
const keyBox = document.getElementById("key-box");
const keyInput = document.getElementById("api-key");
const documentId = main.dataset.documentId;
const sentenceId = new URLSearchParams(window.location.search).get("sentence");
const apiUrl = new URL(main.dataset.apiUrl || "../", document.baseURI).href;
// The same tab-only key as the check page (a tab it opened starts with a copy of it).
rememberKey(keyInput, () => load());

function showFacts(doc, name) {
  const parts = [];
  if (doc.source && doc.source !== name) parts.push(el("span", {}, doc.source));
  parts.push(el("span", {}, doc.published ? `Published ${doc.published}` : "Date unknown"));
  const url = doc.url ? safeUrl(doc.url) : null;
  if (url) {
    parts.push(el("a", { href: url, rel: "noopener noreferrer" }, "Original"));
  }
  parts.push(el("span", {}, "Id ", el("code", {}, doc.id)));
  facts.replaceChildren();
  parts.forEach((part, n) => facts.append(...(n ? [" · ", part] : [part])));
}

function showText(doc) {
  const chars = Array.from(doc.text);
  const span = sentenceId ? doc.sentence_spans.find((s) => s.id === sentenceId) : null;
  notice.hidden = true;
  if (!span) {
    body.replaceChildren(doc.text);
    if (sentenceId) {
      notice.textContent =
        "The passage from the evidence is no longer in this report: it has been changed " +
        "since the check. The report is shown as it stands now.";
      notice.hidden = false;
    }
    return null;
  }
  const mark = el(
    "mark",
    { id: "passage", class: "doc-passage", tabindex: "-1" },
    el("span", { class: "doc-visually-hidden" }, "Passage from the evidence: "),
    chars.slice(span.start, span.end).join(""),
  );
  body.replaceChildren(
    chars.slice(0, span.start).join(""),
    mark,
    chars.slice(span.end).join(""),
  );
  return mark;
}

async function load() {
  error.hidden = true;
  status.textContent = "Loading the document…";
  let doc;
  try {
    doc = await getDocument({ apiUrl, apiKey: keyInput.value.trim(), id: documentId });
  } catch (failure) {
    const problem = problemOf(failure);
    status.textContent = "";
    body.hidden = true;
    if (problem.status === 404) {
      heading.textContent = "No such document";
      document.title = "No such document · Discrepancy checker";
      showProblem(error, {
        title: "This checker holds no such document",
        detail: `There is no document with the id “${documentId}”: it may have been deleted ` +
          "since the check.",
      });
      return;
    }
    showProblem(
      error,
      problem,
      "Once you have one, enter it under “API key” below; it is kept in this tab only.",
    );
    if (problem.status === 401 || problem.status === 403) {
      keyBox.hidden = false;
      keyBox.open = true;
    }
    return;
  }
  const name = documentName(doc, doc.text) || firstWords(doc.id);
  heading.textContent = name;
  document.title = `${name} · Discrepancy checker`;
  showFacts(doc, name);
  const mark = showText(doc);
  body.hidden = false;
  status.textContent = "";
  if (mark) {
    skip.textContent = "Skip to the passage";
    skip.setAttribute("href", "#passage");
    // The passage is what the editor came for: in the middle of the screen, and focused so
    // that a keyboard or screen-reader user starts there too.
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
  }
}

load();
