// The check page: the form sends the draft, the shared panel shows the answer.
import { checkDraft, createPanel, problemOf } from "./checker-ui.js";

const form = document.getElementById("check-form");
const draft = document.getElementById("draft");
const button = form.querySelector("button[type=submit]");
const panel = createPanel({ level: 2 });
document.getElementById("results").append(panel.element);
// The API lives at the app's root, which is where this page is served from.
const apiUrl = new URL(form.dataset.apiUrl || "./", document.baseURI).href;
let busy = false;
// A key is asked for only once the index has keys; sessionStorage forgets it with the tab.
const KEY_ITEM = "checker-api-key";
const keyBox = document.getElementById("key-box");
const keyInput = document.getElementById("api-key");
keyInput.value = sessionStorage.getItem(KEY_ITEM) || "";
keyInput.addEventListener("change", () => {
  sessionStorage.setItem(KEY_ITEM, keyInput.value.trim());
});

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
    panel.show(text, await checkDraft({ apiUrl, apiKey: keyInput.value.trim(), text }));
  } catch (error) {
    const problem = problemOf(error);
    panel.fail(problem);
    if (problem.status === 401 || problem.status === 403) keyBox.open = true;
  } finally {
    busy = false;
    button.removeAttribute("aria-disabled");
  }
}

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
