// The widget's marks in the editor's own field, drawn as spelling and grammar tools draw
// theirs: a layer laid exactly over the field (it takes no clicks, and screen readers skip it:
// the text is the field's own), each checked sentence marked where it lies, kept aligned when
// the field scrolls, is resized or moves; the evidence in a popover over the page, which
// pushes nothing down.
//
// A textarea is mirrored: a copy of its text in the same font, box and wrapping, the text
// transparent and the marks tinted. A contenteditable element is measured: the DOM Range of
// each sentence gives its line boxes. Offsets from the API count code points; the field
// counts UTF-16 units, so they are converted once, when the marks are shown.
//
// Keyboard: Alt+ArrowDown / Alt+ArrowUp in the field (or the bar's Next / Previous mark)
// open the next or previous mark's evidence and move the focus into it; Escape closes it
// and gives the focus back, the sentence selected in a textarea. A click on a mark opens it
// and leaves the focus in the field.

import { VERDICT_LABEL, el, evidenceOf, showProblem, summaryOf } from "./checker-ui.js";

// What decides where a textarea's text lies, copied onto its mirror.
const COPIED = [
  "font-family", "font-size", "font-weight", "font-style", "font-variant", "font-stretch",
  "font-kerning", "font-feature-settings", "line-height", "letter-spacing", "word-spacing",
  "text-indent", "text-transform", "text-align", "direction", "tab-size", "white-space",
  "overflow-wrap", "word-break", "hyphens", "padding-top", "padding-right", "padding-bottom",
  "padding-left", "border-top-width", "border-right-width", "border-bottom-width",
  "border-left-width",
];
const GAP = 6; // px between a mark and its popover
const SENTENCE_END = /[.!?…]["'”’)\]]*\s+$/u;
let fields = 0; // numbers the ids of each field's parts

/** UTF-16 offsets of each code point of `text`, and one past the end. */
function unitOffsets(text) {
  const offsets = [0];
  for (const char of text) offsets.push(offsets[offsets.length - 1] + char.length);
  return offsets;
}

/** Where each character of `text` (the element's innerText) lies in its DOM: a text node
 * and an offset, matched in order; characters innerText adds between blocks are mapped to
 * the next real one, and whitespace HTML collapses is skipped. */
function domPositions(element, text) {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  const positions = [];
  let n = 0;
  let offset = 0;
  const space = (c) => /\s/u.test(c);
  for (const char of text.split("")) {
    let found = null;
    while (n < nodes.length && !found) {
      const data = nodes[n].data;
      if (offset >= data.length) {
        n += 1;
        offset = 0;
      } else if (data[offset] === char || (space(data[offset]) && space(char))) {
        found = { node: nodes[n], offset };
        offset += 1;
      } else if (space(data[offset])) {
        offset += 1; // collapsed away in innerText
      } else {
        found = { node: nodes[n], offset, added: true }; // innerText's own line break
      }
    }
    positions.push(found);
  }
  return positions;
}

/** The common prefix and suffix lengths of two texts (not overlapping in the shorter). */
function commonEnds(before, after) {
  const most = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < most && before[prefix] === after[prefix]) prefix += 1;
  let suffix = 0;
  while (
    suffix < most - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix += 1;
  }
  return [prefix, suffix];
}

/**
 * Marks for `field`, drawn into `root` (the widget's shadow root). `links` go to the
 * evidence's cards (see createPanel); `level` is the popover's heading level; `stale()` runs
 * when an edit has made the marks out of date.
 */
export function fieldMarks({ field, root, links = {}, level = 3, stale = () => {} }) {
  const isTextarea = "value" in field;
  const id = `ck-field-${++fields}`;
  const content = el("div", { class: `ck-layer-content${isTextarea ? " ck-mirror" : ""}` });
  const layer = el("div", { class: "ck-layer", "aria-hidden": "true", hidden: true }, content);
  const title = el(`h${level}`, { id: `${id}-title`, class: "ck-popover-title", tabindex: "-1" });
  const body = el("div", { class: "ck-popover-body" });
  const closeButton = el("button", { type: "button", class: "ck-back" }, "Close");
  const popover = el(
    "div",
    {
      class: "ck-panel ck-popover",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": title.id,
      hidden: true,
    },
    title,
    body,
    closeButton,
  );
  root.append(layer, popover);

  let marks = []; // { start, end, sentence, stale }: UTF-16 offsets into `text`
  let text = "";
  let opened = -1; // the mark whose evidence is open
  let last = -1; // the mark opened last, where Next and Previous go on from
  let anchor = null; // what the popover is placed by: a mark's index, or an element
  let giveBackTo = null; // where Escape sends the focus

  const textOf = () => (isTextarea ? field.value : field.innerText);

  function markClass(mark, index) {
    const verdict = mark.sentence.verdict;
    return `ck-mark ck-${verdict}${mark.stale ? " ck-stale-mark" : ""}${index === opened ? " ck-open" : ""}`;
  }

  /** The layer over the field, its size and place; then the marks drawn into it. */
  function draw() {
    if (!marks.length) {
      layer.hidden = true;
      content.replaceChildren();
      return;
    }
    layer.hidden = false;
    layer.style.width = `${field.offsetWidth}px`;
    layer.style.height = `${field.offsetHeight}px`;
    layer.style.left = "0px";
    layer.style.top = "0px";
    const want = field.getBoundingClientRect();
    const got = layer.getBoundingClientRect();
    layer.style.left = `${want.left - got.left}px`;
    layer.style.top = `${want.top - got.top}px`;
    if (isTextarea) mirror();
    else measure();
  }

  function mirror() {
    const style = getComputedStyle(field);
    for (const name of COPIED) content.style.setProperty(name, style.getPropertyValue(name));
    // The field's scrollbar takes its width from the text's.
    const borders = parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth);
    const bar = field.offsetWidth - field.clientWidth - borders;
    content.style.paddingRight = `${parseFloat(style.paddingRight) + Math.max(0, bar)}px`;
    const pieces = [];
    let at = 0;
    marks.forEach((mark, index) => {
      if (mark.start > at) pieces.push(text.slice(at, mark.start));
      const attributes = { class: markClass(mark, index), "data-index": index };
      pieces.push(el("mark", attributes, text.slice(mark.start, mark.end)));
      at = mark.end;
    });
    // A last empty line still takes its height in the field.
    pieces.push(text.slice(at), "\u200b");
    content.replaceChildren(...pieces);
    follow();
  }

  function measure() {
    const positions = domPositions(field, text);
    const box = layer.getBoundingClientRect();
    const drawn = marks.map((mark, index) => {
      const first = positions[mark.start];
      const final = positions[mark.end - 1];
      const node = el("mark", { class: markClass(mark, index), "data-index": index });
      if (!first || !final) return node;
      const range = document.createRange();
      range.setStart(first.node, first.offset);
      range.setEnd(final.node, final.added ? final.offset : final.offset + 1);
      for (const rect of range.getClientRects()) {
        if (rect.width < 1) continue;
        const part = el("span", { class: "ck-mark-part" });
        part.style.left = `${rect.left - box.left}px`;
        part.style.top = `${rect.top - box.top}px`;
        part.style.width = `${rect.width}px`;
        part.style.height = `${rect.height}px`;
        node.append(part);
      }
      return node;
    });
    content.replaceChildren(...drawn);
  }

  /** The mirror scrolled as the field is (a contenteditable is measured again). */
  function follow() {
    if (!isTextarea) return measure();
    content.scrollTop = field.scrollTop;
    content.scrollLeft = field.scrollLeft;
  }

  function markNode(index) {
    return content.querySelector(`[data-index="${index}"]`);
  }

  function rectsOf(index) {
    const node = markNode(index);
    if (!node) return [];
    const parts = isTextarea ? [node] : [...node.children];
    return parts.flatMap((part) => [...part.getClientRects()]).filter((r) => r.width > 0);
  }

  function markAt(x, y) {
    return marks.findIndex((_, index) =>
      rectsOf(index).some((r) => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom),
    );
  }

  /** The popover beside what it is about: under it, or above where there is more room;
   * along the bottom of a phone's screen. */
  function place() {
    if (popover.hidden) return;
    const rects = typeof anchor === "number" ? rectsOf(anchor) : [anchor.getBoundingClientRect()];
    const at = rects[0] || field.getBoundingClientRect();
    const bottom = Math.max(...rects.map((r) => r.bottom), at.bottom);
    const style = popover.style;
    style.top = style.bottom = style.left = style.right = style.width = "";
    if (innerWidth < 640) {
      Object.assign(style, { left: "8px", right: "8px", bottom: "8px" });
      style.maxHeight = `${Math.round(innerHeight * 0.6)}px`;
      return;
    }
    const width = Math.min(448, innerWidth - 16);
    style.width = `${width}px`;
    style.left = `${Math.max(8, Math.min(at.left, innerWidth - width - 8))}px`;
    const below = innerHeight - bottom - GAP - 8;
    const above = at.top - GAP - 8;
    if (below >= 240 || below >= above) {
      style.top = `${bottom + GAP}px`;
      style.maxHeight = `${Math.max(120, below)}px`;
    } else {
      style.bottom = `${innerHeight - at.top + GAP}px`;
      style.maxHeight = `${Math.max(120, above)}px`;
    }
  }

  function showPopover(focus) {
    popover.hidden = false;
    place();
    popover.scrollTop = 0;
    if (focus) title.focus({ preventScroll: true });
  }

  /** Open mark `index`'s evidence; `from`: the element the focus came from (the focus then
   * moves into the popover, and Escape gives it back), or null to leave the focus be. */
  function open(index, from = null) {
    const mark = marks[index];
    opened = last = index;
    anchor = index;
    if (from && isTextarea) {
      field.setSelectionRange(mark.start, mark.end);
      reveal(index);
    }
    draw();
    const label = VERDICT_LABEL.get(mark.sentence.verdict) ?? mark.sentence.verdict;
    title.textContent = `${label} (mark ${index + 1} of ${marks.length})`;
    const note = mark.stale
      ? el("p", { class: "ck-stale-note" }, "Out of date: the text has changed since this check.")
      : null;
    body.replaceChildren(note ?? "", ...evidenceOf(mark.sentence, `h${level + 1}`, links));
    giveBackTo = from;
    showPopover(Boolean(from));
  }

  /** Scroll the field (and the page) so that mark `index` is in view. */
  function reveal(index) {
    const node = markNode(index);
    if (isTextarea && node) {
      const top = node.offsetTop - field.clientHeight / 3;
      field.scrollTop = Math.max(0, top);
    }
    field.scrollIntoView({ block: "nearest" });
  }

  function close(returnFocus) {
    if (popover.hidden) return;
    popover.hidden = true;
    const back = giveBackTo;
    opened = -1;
    anchor = null;
    giveBackTo = null;
    draw();
    if (returnFocus) (back || field).focus();
  }

  /** The next (`step` 1) or previous (-1) mark's evidence, the focus moved into it. */
  function go(step, from) {
    if (!marks.length) return;
    const start = last < 0 ? (step > 0 ? -1 : 0) : last;
    open((start + step + marks.length) % marks.length, from);
  }

  field.addEventListener("keydown", (event) => {
    if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp") && marks.length) {
      event.preventDefault();
      go(event.key === "ArrowDown" ? 1 : -1, field);
    } else if (event.key === "Escape" && !popover.hidden) {
      event.preventDefault();
      close(false);
    }
  });
  field.addEventListener("click", (event) => {
    const index = marks.length ? markAt(event.clientX, event.clientY) : -1;
    if (index >= 0) open(index);
  });
  popover.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    }
  });
  closeButton.addEventListener("click", () => close(true));
  field.addEventListener("scroll", follow);
  // An edit: marks before and after it move with the text, the edited sentence's goes, and
  // every mark left is out of date until the next check.
  function edited() {
    if (!marks.length || textOf() === text) return;
    const now = textOf();
    const [prefix, suffix] = commonEnds(text, now);
    const editedEnd = text.length - suffix;
    const shift = now.length - text.length;
    // Text typed against a sentence's end is new text after it only when it starts with a
    // space; typed against its start, new text before it only when it ends a sentence.
    const typed = now.slice(prefix, now.length - suffix);
    const after = (mark) => mark.end < prefix || (mark.end === prefix && /^\s/u.test(typed));
    const before = (mark) =>
      mark.start > editedEnd || (mark.start === editedEnd && SENTENCE_END.test(typed));
    const kept = [];
    marks.forEach((mark, index) => {
      let moved = null;
      if (after(mark)) moved = { ...mark, stale: true };
      else if (before(mark)) {
        moved = { ...mark, start: mark.start + shift, end: mark.end + shift, stale: true };
      }
      if (moved) kept.push([index, moved]);
    });
    const still = opened >= 0 ? kept.findIndex(([index]) => index === opened) : -1;
    if (opened >= 0 && still < 0) close(false);
    marks = kept.map(([, mark]) => mark);
    text = now;
    last = -1;
    if (still >= 0) opened = anchor = still;
    draw();
    place();
    stale();
  }
  field.addEventListener("input", edited);
  new ResizeObserver(() => {
    draw();
    place();
  }).observe(field);
  addEventListener("resize", () => {
    draw();
    place();
  });
  addEventListener("scroll", place, { capture: true, passive: true });
  // The field may move without being resized (the host page's layout changes above it).
  let seen = "";
  setInterval(() => {
    if (!marks.length) return;
    const r = field.getBoundingClientRect();
    const where = `${r.left + scrollX},${r.top + scrollY},${r.width},${r.height}`;
    if (where !== seen) {
      seen = where;
      draw();
    }
  }, 250);

  return {
    /** The marks of `answer` for `checked` (the field's text as it was sent). */
    show(checked, answer) {
      close(false);
      const offsets = unitOffsets(checked);
      text = checked;
      last = -1;
      marks = answer.sentences
        .filter((sentence) => VERDICT_LABEL.has(sentence.verdict))
        .map((sentence) => ({
          start: offsets[sentence.start],
          end: offsets[sentence.end],
          sentence,
          stale: false,
        }));
      draw();
      return summaryOf(answer);
    },
    /** A problem instead of marks (none are left on show), by `by` (the widget's bar). */
    fail(problem, keyHelp, by) {
      close(false);
      marks = [];
      draw();
      title.textContent = "The check did not work";
      const box = el("div", { class: "ck-error", role: "alert" });
      body.replaceChildren(box);
      showProblem(box, problem, keyHelp);
      anchor = by;
      giveBackTo = null;
      showPopover(false);
    },
    clear() {
      close(false);
      marks = [];
      draw();
    },
    next: (from) => go(1, from),
    previous: (from) => go(-1, from),
    count: () => marks.length,
    /** The text may have changed since it was sent (an edit while it was checked). */
    edited,
  };
}
