// Tiny DOM helpers: text goes in as text (never as HTML) unless it is server-sanitized HTML.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

/** A button with its shortcut shown on it. */
export function keyButton(label: string, key: string | null, onClick: () => void, cls = ""): HTMLButtonElement {
  const b = el("button", { type: "button", class: cls });
  b.append(label);
  if (key) {
    b.append(" ", el("kbd", {}, key));
    b.setAttribute("aria-keyshortcuts", key);
  }
  b.addEventListener("click", onClick);
  return b;
}

/** Attachments (context shown with a task): text as text, media as players, images as images. */
export function attachment(type: string, content: string): HTMLElement {
  switch (type) {
    case "image":
      return el("img", { src: content, alt: "Attachment", class: "attachment-image" });
    case "audio":
      return el("audio", { src: content, controls: "", preload: "auto" });
    case "video":
      return el("video", { src: content, controls: "", preload: "auto" });
    case "text":
      return el("div", { class: "attachment-text" }, content);
    default:
      return el("a", { href: content, target: "_blank", rel: "noopener noreferrer" }, content);
  }
}
