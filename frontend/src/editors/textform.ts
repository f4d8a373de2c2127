// textcollection, transcription (and document transcription): attachments, then the form.
import type { MountEditor } from "./types";
import { attachment, el } from "../workspace/dom";
import { buildForm, type Field } from "./form";
import { mediaKeys } from "../workspace/media";

export const mountTextForm: MountEditor = (root, ctx) => {
  const p = ctx.task.params as { attachments?: { type: string; content: string }[]; fields: Field[] };
  const initial = ((ctx.initial as { fields?: Record<string, unknown> } | undefined)?.fields) ?? {};
  const atts = el("div", { class: "attachments" }, ...(p.attachments ?? []).map((a) => attachment(a.type, a.content)));
  const form = buildForm(p.fields, initial, () => ctx.onChange({ fields: form.partial() }));
  root.append(atts, form.node);
  const media = mediaKeys(atts, root);
  if (media) atts.append(media.element);
  function response(): unknown | null {
    const values = form.values();
    return values === null ? null : { fields: values };
  }
  return {
    getResponse: response,
    handleKey: (e) => media?.handleKey(e) ?? false,
    help: media?.help,
    focus: () => form.first()?.focus(),
    destroy: () => root.replaceChildren(),
  };
};
