// The checker widget: one <script> tag gives every textarea and contenteditable element of a
// page a "Check facts" button that shows the draft's sentences highlighted, with evidence.
//
//   <script src="https://checker.example.org/static/widget.js" defer
//           data-api-url="https://checker.example.org/"   (default: where this file is from)
//           data-api-key="..."                            (sent as "Authorization: Bearer")
//           data-selector="textarea.story"></script>      (default: every textarea and
//                                                          contenteditable element)
//
// What to check against, on the edited element, an element around it (a <form>), or the
// <script> tag, the nearest one winning; read at each check, so a CMS may set them late:
//
//   data-document-id="story-123"      this story's id in the index: its stored (earlier)
//                                     version is left out, so the story does not contradict
//                                     or support itself (the API's exclude_document)
//   data-sources="Reuters, AP"        only reports from these sources (commas between)
//   data-published-after="2023-09-01" only reports published on or after this day
//   data-published-before="2023-09-30"                     ... on or before this day
//
// Elements added later: window.CheckerWidget.attach(element). The button and results live in
// a shadow root, so the host page's styles do not reach them, nor theirs the page. The
// evidence links to the checker's page of each report, opened in a new tab.
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

  // The dataset names of the options and the API's fields they become.
  const OPTIONS = [
    ["documentId", "exclude_document"],
    ["sources", "sources"],
    ["publishedAfter", "published_after"],
    ["publishedBefore", "published_before"],
  ];

  function optionsOf(element) {
    const options = {};
    for (const [name, field] of OPTIONS) {
      const attribute = `data-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      const holder = element.closest(`[${attribute}]`);
      const value = holder ? holder.getAttribute(attribute) : config[name];
      if (value) options[field] = value;
    }
    return options;
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
    // The marks belong to the text as it was checked: an edit makes them out of date at once.
    element.addEventListener("input", () => {
      if (panel) panel.stale();
    });

    button.addEventListener("click", async () => {
      if (busy) return;
      busy = true;
      button.setAttribute("aria-disabled", "true");
      try {
        const { checkDraft, createPanel, problemOf } = await loadUi();
        if (!panel) {
          panel = createPanel({
            level: 3,
            appUrl: apiUrl,
            keyHelp: "The key this editor was set up with is missing or no longer valid.",
          });
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
          const options = optionsOf(element);
          panel.show(text, await checkDraft({ apiUrl, apiKey, text, options }));
          if (draftOf(element) !== text) panel.stale(); // edited while it was being checked
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
