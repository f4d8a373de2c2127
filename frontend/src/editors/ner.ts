// NER: spans snapped to tokens, by mouse (select text, then a label key or button) or by keyboard
// (arrows move a token cursor, Shift+arrows extend, a label key marks). Offsets are in code
// points, as Python slices the text on the server.
import type { MountEditor } from "./types";
import { el, keyButton } from "../workspace/dom";
import { digitOf } from "../workspace/keys";

interface Label {
  name: string;
  children?: Label[] | null;
}
interface Span {
  start: number;
  end: number;
  label: string;
}

function flatten(labels: Label[]): string[] {
  return labels.flatMap((l) => [l.name, ...flatten(l.children ?? [])]);
}

export const mountNER: MountEditor = (root, ctx) => {
  const p = ctx.task.params as { text: string; labels: Label[]; allow_overlapping?: boolean };
  const chars = Array.from(p.text);
  const names = flatten(p.labels);
  const init = (ctx.initial as { annotations?: Span[] } | undefined)?.annotations ?? [];
  let spans: Span[] = init.map((s) => ({ start: s.start, end: s.end, label: s.label }));

  // Tokens: words, single punctuation marks, whitespace runs (never a span edge inside a word).
  const tokens: { start: number; end: number; space: boolean }[] = [];
  let i = 0;
  while (i < chars.length) {
    const kind = (c: string) => (/\s/u.test(c) ? 0 : /[\p{L}\p{N}_]/u.test(c) ? 1 : 2);
    const k = kind(chars[i]);
    let j = i + 1;
    if (k !== 2) while (j < chars.length && kind(chars[j]) === k) j++;
    tokens.push({ start: i, end: j, space: k === 0 });
    i = j;
  }
  const words = tokens.map((t, idx) => idx).filter((idx) => !tokens[idx].space);
  let cursor = 0; // index into words
  let anchor: number | null = null; // keyboard selection anchor (index into words)
  let pending: { start: number; end: number } | null = null;

  const textBox = el("div", { class: "ner-text", tabindex: "0", role: "application", "aria-label": "Text to annotate" });
  const tokenNodes = tokens.map((t) => {
    const n = el("span", { class: t.space ? "tok space" : "tok", "data-start": String(t.start), "data-end": String(t.end) }, chars.slice(t.start, t.end).join(""));
    textBox.append(n);
    return n;
  });
  const labelBar = el("div", { class: "choices", role: "group", "aria-label": "Labels" },
    ...names.map((n, idx) => keyButton(n, idx < 9 ? String(idx + 1) : null, () => apply(n), `choice label-${idx % 8}`)));
  const list = el("ul", { class: "spans", "aria-label": "Marked spans" });
  root.append(el("p", { class: "hint" }, "Select words with the mouse or with arrows (Shift extends), then press a label key."), textBox, labelBar, el("h2", {}, "Spans"), list);

  function tokenAt(node: Node | null): number | null {
    let n: Node | null = node;
    while (n && !(n instanceof HTMLElement && n.classList.contains("tok"))) n = n.parentNode;
    return n ? tokenNodes.indexOf(n as HTMLElement) : null;
  }
  textBox.addEventListener("mouseup", () => {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed) return;
    const a = tokenAt(sel.anchorNode);
    const b = tokenAt(sel.focusNode);
    if (a === null || b === null) return;
    let [lo, hi] = a <= b ? [a, b] : [b, a];
    while (lo < hi && tokens[lo].space) lo++;
    while (hi > lo && tokens[hi].space) hi--;
    if (tokens[lo].space) return;
    pending = { start: tokens[lo].start, end: tokens[hi].end };
    cursor = words.indexOf(hi);
    anchor = words.indexOf(lo);
    sel.removeAllRanges();
    render();
  });

  function keyboardPending(): void {
    const a = anchor ?? cursor;
    const [lo, hi] = a <= cursor ? [a, cursor] : [cursor, a];
    pending = { start: tokens[words[lo]].start, end: tokens[words[hi]].end };
  }
  function apply(label: string): void {
    if (!pending) return;
    const s = { ...pending, label };
    if (spans.some((x) => x.start === s.start && x.end === s.end && x.label === label)) return;
    if (!p.allow_overlapping) spans = spans.filter((x) => x.end <= s.start || x.start >= s.end);
    spans.push(s);
    spans.sort((x, y) => x.start - y.start || x.end - y.end);
    pending = null;
    anchor = null;
    render();
    ctx.onChange(response());
  }
  function remove(idx: number): void {
    spans.splice(idx, 1);
    render();
    ctx.onChange(response());
  }
  function render(): void {
    tokens.forEach((t, idx) => {
      const node = tokenNodes[idx];
      const hit = spans.filter((s) => s.start < t.end && s.end > t.start);
      node.className = t.space ? "tok space" : "tok";
      if (hit.length) {
        node.classList.add("marked", `label-${names.indexOf(hit[0].label) % 8}`);
        if (hit.length > 1) node.classList.add("overlap");
        node.title = hit.map((s) => s.label).join(", ");
      } else node.removeAttribute("title");
      if (pending && t.start >= pending.start && t.end <= pending.end) node.classList.add("pending");
      if (words[cursor] === idx) node.classList.add("cursor");
    });
    list.replaceChildren(
      ...spans.map((s, idx) =>
        el("li", {}, el("span", { class: `tag label-${names.indexOf(s.label) % 8}` }, s.label), ` ${chars.slice(s.start, s.end).join("")} `,
          keyButton("Remove", null, () => remove(idx), "small"))),
    );
  }
  function response(): unknown {
    return { annotations: spans.map((s) => ({ ...s, text: chars.slice(s.start, s.end).join("") })) };
  }
  render();
  return {
    getResponse: response,
    handleKey(event) {
      if (event.ctrlKey || event.altKey || event.metaKey) return false;
      const d = digitOf(event);
      if (d !== null && d >= 1 && d <= Math.min(9, names.length) && !event.shiftKey) {
        if (!pending) keyboardPending();
        apply(names[d - 1]);
        return true;
      }
      if (event.code === "ArrowRight" || event.code === "ArrowLeft") {
        if (event.shiftKey) anchor ??= cursor;
        else anchor = null;
        cursor = Math.max(0, Math.min(words.length - 1, cursor + (event.code === "ArrowRight" ? 1 : -1)));
        if (event.shiftKey) keyboardPending();
        else pending = null;
        render();
        return true;
      }
      if (event.code === "Backspace" || event.code === "Delete") {
        const at = tokens[words[cursor]];
        const idx = spans.findIndex((s) => s.start < at.end && s.end > at.start);
        if (idx >= 0) remove(idx);
        return idx >= 0;
      }
      return false;
    },
    focus: () => textBox.focus(),
    destroy: () => root.replaceChildren(),
  };
};
