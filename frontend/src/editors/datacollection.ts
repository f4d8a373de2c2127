// datacollection: the attachment, then one input per field (`fields` is `{field_id:
// description}` or `{field_id: {description, type, required, multiple}}`). Text, number and
// url fields are the shared form's; a file field uploads each chosen file at once to
// /work/queue/{assignment}/files (stored for the task's org) and answers `{url, name,
// content_type}`, a list of them when `multiple`.
import type { MountEditor } from "./types";
import { upload } from "../workspace/api";
import { attachment, el, keyButton } from "../workspace/dom";
import { buildForm, type Field } from "./form";
import { mediaKeys } from "../workspace/media";

interface CollectField {
  description?: string;
  type?: "text" | "number" | "url" | "file";
  required?: boolean;
  multiple?: boolean;
}

interface FileValue {
  url: string;
  name?: string;
  content_type?: string;
}

let uid = 0;

export const mountDataCollection: MountEditor = (root, ctx) => {
  const p = ctx.task.params as {
    attachment?: string;
    attachment_type?: string;
    attachments?: { type: string; content: string }[];
    fields: Record<string, string | CollectField>;
  };
  const specs = Object.entries(p.fields).map(([id, raw]) => [id, typeof raw === "string" ? { description: raw } : raw] as const);
  const initial = ((ctx.initial as { fields?: Record<string, unknown> } | undefined)?.fields) ?? {};
  const plain: Field[] = specs
    .filter(([, f]) => (f.type ?? "text") !== "file")
    .map(([id, f]) => ({ type: f.type ?? "text", field_id: id, title: id, description: f.description || null, required: f.required !== false }));
  const files = new Map<string, FileValue[]>();

  const context: HTMLElement[] = [];
  if (p.attachment) context.push(attachment(p.attachment_type === "website" || !p.attachment_type ? "link" : p.attachment_type, p.attachment));
  for (const a of p.attachments ?? []) context.push(attachment(a.type, a.content));
  const changed = (): void => ctx.onChange({ fields: { ...form.partial(), ...fileAnswers() } });
  const form = buildForm(plain, initial, changed);

  const fileFields = specs.filter(([, f]) => f.type === "file").map(([id, f]) => {
    const start = initial[id];
    files.set(id, (Array.isArray(start) ? start : start ? [start] : []) as FileValue[]);
    const inputId = `dc-file-${++uid}`;
    const required = f.required !== false;
    const input = el("input", { id: inputId, type: "file" });
    if (f.multiple) input.multiple = true;
    const list = el("ul", { class: "files", "aria-live": "polite" });
    const status = el("span", { class: "hint", role: "status" });
    const show = (): void => {
      list.replaceChildren(
        ...(files.get(id) ?? []).map((v, i) => {
          const remove = keyButton("Remove", null, () => {
            files.get(id)!.splice(i, 1);
            show();
            changed();
          });
          remove.setAttribute("aria-label", `Remove ${v.name ?? v.url}`);
          return el("li", {}, el("span", {}, v.name ?? v.url), " ", remove);
        }),
      );
    };
    input.addEventListener("change", () => {
      const chosen = [...(input.files ?? [])];
      if (!chosen.length) return;
      status.textContent = "Uploading…";
      void Promise.all(chosen.map((file) => upload<FileValue>(`/work/queue/${ctx.task.assignment_id}/files`, file)))
        .then((got) => {
          files.set(id, f.multiple ? [...(files.get(id) ?? []), ...got] : got.slice(-1));
          status.textContent = `Uploaded ${got.map((g) => g.name ?? "file").join(", ")}`;
          input.value = "";
          show();
          changed();
        })
        .catch((err: Error) => {
          status.textContent = `The upload failed: ${err.message}`;
        });
    });
    show();
    return el("div", { class: "field" },
      el("label", { for: inputId }, id + (required ? " *" : "")),
      ...(f.description ? [el("p", { class: "hint" }, f.description)] : []),
      input, status, list);
  });

  function fileAnswers(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [id, f] of specs) {
      const got = files.get(id);
      if (f.type !== "file" || !got?.length) continue;
      out[id] = f.multiple ? got : got[0];
    }
    return out;
  }

  const atts = el("div", { class: "attachments" }, ...context);
  root.append(atts, form.node, ...fileFields);
  const media = mediaKeys(atts, root);
  if (media) atts.append(media.element);
  return {
    getResponse() {
      const values = form.values();
      if (values === null) return null;
      const answers = fileAnswers();
      const missing = specs.some(([id, f]) => f.type === "file" && f.required !== false && !(id in answers));
      return missing ? null : { fields: { ...values, ...answers } };
    },
    handleKey: (e) => media?.handleKey(e) ?? false,
    help: media?.help,
    focus: () => form.first()?.focus(),
    destroy: () => root.replaceChildren(),
  };
};
