// The checker widget: one <script> tag gives every textarea and contenteditable element of a
// page a "Check facts" button that shows the draft's sentences highlighted, with evidence.
//
//   <script src="https://checker.example.org/static/widget.js" defer
//           data-api-url="https://checker.example.org/"   (default: where this file is from)
//           data-api-key="..."                            (sent as "Authorization: Bearer")
//           data-selector="textarea.story"></script>      (default: every textarea and
//                                                          contenteditable element)
//
// Elements added later: window.CheckerWidget.attach(element). The button and results live in
// a shadow root, so the host page's styles do not reach them, nor theirs the page.
(() => {
  "use strict";
  // Read while this script runs: document.currentScript is null afterwards.
  const script = document.currentScript;
  const scriptUrl = new URL(script ? script.src : "/static/widget.js", document.baseURI);
  const config = script ? script.dataset : {};
  // The app serves this file at <app>/static/widget.js, so the app's root is one level up.
  const apiUrl = new URL(config.apiUrl || "../", scriptUrl).href;
  const apiKey = config.apiKey || "";
  const selector =
    config.selector || "textarea, [contenteditable]:not([contenteditable='false'])";
  let ui = null; // the shared front end, imported on first use
  const attached = new WeakSet();

  function loadUi() {
    ui ??= import(new URL("checker-ui.js", scriptUrl).href);
    return ui;
  }

  function draftOf(element) {
    return "value" in element ? element.value : element.innerText;
  }

  function attach(element) {
    if (attached.has(element)) return;
    attached.add(element);
    const host = document.createElement("div");
    host.className = "checker-widget";
    element.insertAdjacentElement("afterend", host);
    const shadow = host.attachShadow({ mode: "open" });
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = new URL("checker-ui.css", scriptUrl).href;
    const bar = document.createElement("div");
    bar.className = "ck-bar";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "ck-button";
    button.textContent = "Check facts";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "ck-close";
    close.textContent = "Hide results";
    close.hidden = true;
    bar.append(button, close);
    shadow.append(style, bar);
    let panel = null;
    let busy = false;

    button.addEventListener("click", async () => {
      if (busy) return;
      busy = true;
      button.setAttribute("aria-disabled", "true");
      try {
        const { checkDraft, createPanel, problemOf } = await loadUi();
        if (!panel) {
          panel = createPanel({ level: 3 });
          shadow.append(panel.element);
        }
        panel.element.hidden = false;
        close.hidden = false;
        const text = draftOf(element);
        if (!text.trim()) {
          panel.fail({ title: "Nothing to check", detail: "The editor is empty." });
          return;
        }
        panel.loading();
        try {
          panel.show(text, await checkDraft({ apiUrl, apiKey, text }));
        } catch (error) {
          panel.fail(problemOf(error));
        }
      } catch (error) {
        // The shared module itself could not be loaded (server down, or blocked cross-origin).
        button.title = `The checker could not be loaded: ${error}`;
        button.textContent = "Check facts (unavailable)";
      } finally {
        busy = false;
        button.removeAttribute("aria-disabled");
      }
    });
    close.addEventListener("click", () => {
      if (panel) panel.element.hidden = true;
      close.hidden = true;
      button.focus();
    });
  }

  function attachAll(root = document) {
    for (const element of root.querySelectorAll(selector)) attach(element);
  }

  window.CheckerWidget = { attach, attachAll, apiUrl };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => attachAll());
  } else {
    attachAll();
  }
})();
