// categorization: one category (or several with allow_multiple), keys 1-9 shown on the buttons.
import type { MountEditor } from "./types";
import { attachment, el, keyButton } from "../workspace/dom";
import { digitOf } from "../workspace/keys";

export const mountCategorization: MountEditor = (root, ctx) => {
  const p = ctx.task.params as { attachment: string; attachment_type?: string; categories: string[]; allow_multiple?: boolean };
  const multi = !!p.allow_multiple;
  const init = (ctx.initial as { category?: string | string[] } | undefined)?.category;
  const picked = new Set<string>(Array.isArray(init) ? init : init ? [init] : []);
  const type = p.attachment_type ?? "image";
  const media = type === "image"
    ? el("img", { src: p.attachment, alt: "Task image", class: "task-image" })
    : attachment(type, p.attachment);
  const group = el("div", { class: "choices", role: "group", "aria-label": multi ? "Categories (several allowed)" : "Category" });
  const buttons = p.categories.map((c, i) => {
    const b = keyButton(c, i < 9 ? String(i + 1) : null, () => toggle(c), "choice");
    b.setAttribute("aria-pressed", "false");
    return b;
  });
  group.append(...buttons);
  root.append(el("div", { class: "media" }, media), group);

  function render(): void {
    p.categories.forEach((c, i) => buttons[i].setAttribute("aria-pressed", String(picked.has(c))));
  }
  function response(): unknown | null {
    if (picked.size === 0) return null;
    const chosen = p.categories.filter((c) => picked.has(c));
    return { category: multi ? chosen : chosen[0] };
  }
  function toggle(c: string): void {
    if (multi) {
      if (picked.has(c)) picked.delete(c);
      else picked.add(c);
    } else {
      picked.clear();
      picked.add(c);
    }
    render();
    ctx.onChange(response());
  }
  render();
  return {
    getResponse: response,
    handleKey(event) {
      const d = digitOf(event);
      if (d === null || d < 1 || d > Math.min(9, p.categories.length) || event.ctrlKey || event.altKey) return false;
      toggle(p.categories[d - 1]);
      return true;
    },
    focus: () => buttons[0]?.focus(),
    destroy: () => root.replaceChildren(),
  };
};
