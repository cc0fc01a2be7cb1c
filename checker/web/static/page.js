// The check page: the form sends the draft, the shared panel shows the answer.
import { callApi, checkDraft, createPanel, problemOf, rememberKey } from "./checker-ui.js";

const form = document.getElementById("check-form");
const draft = document.getElementById("draft");
const button = form.querySelector("button[type=submit]");
// The API lives at the app's root, which is where this page is served from.
const apiUrl = new URL(form.dataset.apiUrl || "./", document.baseURI).href;
// A key is asked for only once the index has keys; the tab keeps it (rememberKey).
const keyBox = document.getElementById("key-box");
const keyInput = document.getElementById("api-key");
rememberKey(keyInput);
const askForKey = (problem) => {
  if (problem.status === 401 || problem.status === 403) keyBox.open = true;
};
const panel = createPanel({
  level: 2,
  appUrl: apiUrl,
  sameApp: true,
  keyHelp: "Once you have one, enter it under “API key” above; it is kept in this tab only.",
  // Flags between the stored story and other reports are decided on from the evidence, with
  // the page's key (a write key), as on the review page.
  triage: {
    api: (path, options) => callApi({ apiUrl, apiKey: keyInput.value.trim(), path, ...options }),
    failed: askForKey,
  },
});
document.getElementById("results").append(panel.element);
// The Options: the story's own id (left out of the evidence), sources, dates.
const optionInputs = {
  exclude_document: document.getElementById("story-id"),
  sources: document.getElementById("sources"),
  published_after: document.getElementById("published-after"),
  published_before: document.getElementById("published-before"),
};
const options = () =>
  Object.fromEntries(Object.entries(optionInputs).map(([name, input]) => [name, input.value]));
let busy = false;

async function check() {
  const text = draft.value;
  if (!text.trim()) {
    panel.fail({ title: "Nothing to check", detail: "Paste or type a draft first." });
    draft.focus();
    return;
  }
  if (busy) return;
  // aria-disabled rather than disabled: a disabled button loses the keyboard focus.
  busy = true;
  button.setAttribute("aria-disabled", "true");
  panel.loading();
  try {
    const answer = await checkDraft({
      apiUrl,
      apiKey: keyInput.value.trim(),
      text,
      options: options(),
    });
    panel.show(text, answer);
    if (draft.value !== text) panel.stale(); // edited while it was being checked
  } catch (error) {
    const problem = problemOf(error);
    panel.fail(problem);
    askForKey(problem);
  } finally {
    busy = false;
    button.removeAttribute("aria-disabled");
  }
}

// The marks on show belong to the draft as it was: once it changes, they are out of date.
draft.addEventListener("input", () => panel.stale());

form.addEventListener("submit", (event) => {
  event.preventDefault();
  check();
});
// Ctrl+Enter (Cmd+Enter on a Mac) checks without leaving the draft.
draft.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    check();
  }
});
