// The checker widget: one <script> tag gives every textarea and contenteditable element of a
// page a "Check facts" button that marks the checked sentences in the field, with evidence.
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
// Elements added later: window.CheckerWidget.attach(element). The marks sit in the field
// itself, as a spelling checker's do (a layer over it: field-marks.js), and the evidence opens
// in a popover over the page, so nothing pushes the host's form down; Alt+ArrowDown and
// Alt+ArrowUp in the field go from mark to mark, Escape closes the evidence. The bar, the
// marks and the popover live in a shadow root, so the host page's styles do not reach them,
// nor theirs the page. The evidence links to the checker's page of each report (a new tab).
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
    const load = (name) => import(new URL(name, scriptUrl).href);
    ui ??= Promise.all([load("checker-ui.js"), load("field-marks.js")]);
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

  function button(words, className, shortcut) {
    const made = document.createElement("button");
    made.type = "button";
    made.className = className;
    made.textContent = words;
    if (shortcut) made.setAttribute("aria-keyshortcuts", shortcut);
    return made;
  }

  function attach(element) {
    if (attached.has(element)) return;
    attached.add(element);
    // The bar goes under the field and keeps its height: the marks go on the field itself
    // and the evidence in a popover, so nothing the widget shows pushes the form down.
    const host = document.createElement("div");
    host.className = "checker-widget";
    element.insertAdjacentElement("afterend", host);
    const shadow = host.attachShadow({ mode: "open" });
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = new URL("checker-ui.css", scriptUrl).href;
    const bar = document.createElement("div");
    bar.className = "ck-bar";
    const check = button("Check facts", "ck-button");
    const previous = button("Previous mark", "ck-close", "Alt+ArrowUp");
    const next = button("Next mark", "ck-close", "Alt+ArrowDown");
    const clear = button("Clear marks", "ck-close");
    for (const idle of [previous, next, clear]) idle.setAttribute("aria-disabled", "true");
    const status = document.createElement("p");
    status.className = "ck-field-status";
    status.setAttribute("role", "status");
    bar.append(check, previous, next, clear);
    shadow.append(style, bar, status);
    let marks = null; // the field's marks (field-marks.js), made on first use
    let busy = false;

    function say(words) {
      status.textContent = words;
      status.title = words; // the line is cut short where it is narrow
    }

    function usable(on) {
      for (const b of [previous, next, clear]) {
        if (on) b.removeAttribute("aria-disabled");
        else b.setAttribute("aria-disabled", "true");
      }
    }

    check.addEventListener("click", async () => {
      if (busy) return;
      busy = true;
      check.setAttribute("aria-disabled", "true");
      try {
        const [{ checkDraft, problemOf }, { fieldMarks }] = await loadUi();
        marks ??= fieldMarks({
          field: element,
          root: shadow,
          links: { appUrl: apiUrl },
          stale: () =>
            say("Out of date: the text has changed since this check. Check again to update the marks."),
        });
        const text = draftOf(element);
        const keyHelp = "The key this editor was set up with is missing or no longer valid.";
        if (!text.trim()) {
          marks.fail({ title: "Nothing to check", detail: "The editor is empty." }, "", bar);
          usable(false);
          say("");
          return;
        }
        say("Checking the text…");
        try {
          const answer = await checkDraft({ apiUrl, apiKey, text, options: optionsOf(element) });
          const summary = marks.show(text, answer);
          usable(marks.count() > 0);
          const keys = marks.count() ? " Alt+Down in the text goes to the next mark." : "";
          say(`${summary}${keys}`);
          // Edited while it was being checked: the marks are out of date at once.
          marks.edited();
        } catch (error) {
          marks.fail(problemOf(error), keyHelp, bar);
          usable(false);
          say("");
        }
      } catch (error) {
        // The shared modules could not be loaded (server down, or blocked cross-origin).
        check.title = `The checker could not be loaded: ${error}`;
        check.textContent = "Check facts (unavailable)";
      } finally {
        busy = false;
        check.removeAttribute("aria-disabled");
      }
    });
    previous.addEventListener("click", () => marks?.previous(previous));
    next.addEventListener("click", () => marks?.next(next));
    clear.addEventListener("click", () => {
      if (clear.getAttribute("aria-disabled") === "true") return;
      marks?.clear();
      usable(false);
      say("");
      check.focus();
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
