// documenttranscription: regions drawn on each page image with the image editor (a box or a
// polygon per feature label), each with its text typed in the list beside it. The list is
// the reading order: creation order, changed with Alt+↑/↓ (or the buttons); PageUp/PageDown
// turn the page. Stored as the type's response: `{annotations: [{uuid, page, label, text,
// location, refs, reading_order, attributes}]}` in page pixels.
import type { Editor, MountEditor } from "./types";
import { mount as mountImage, type ImageEditor } from "./image/index";
import { el, keyButton } from "../workspace/dom";

interface Feature {
  label: string;
  type?: "box" | "polygon" | null;
  required?: boolean;
}

type Location = { type: "box"; left: number; top: number; width: number; height: number } | { type: "polygon"; vertices: { x: number; y: number }[] };

interface Region {
  uuid: string;
  page: number;
  label: string;
  text: string;
  location: Location;
  refs: string[];
  attributes: Record<string, unknown>;
}

type Json = Record<string, unknown>;

function locationOf(a: Json): Location | null {
  if (a.type === "box") return { type: "box", left: Number(a.left), top: Number(a.top), width: Number(a.width), height: Number(a.height) };
  if (a.type === "polygon" && Array.isArray(a.vertices)) return { type: "polygon", vertices: a.vertices as { x: number; y: number }[] };
  return null;
}

export const mountDocument: MountEditor = (root, ctx) => {
  const p = ctx.task.params as { attachment?: string; attachments?: string[]; attachment_type?: string; features?: Feature[] };
  const pages = p.attachments?.length ? p.attachments : p.attachment ? [p.attachment] : [];
  const features: Feature[] = p.features?.length ? p.features : [{ label: "text" }]; // no features: any label goes
  const boxLabels = features.filter((f) => f.type !== "polygon").map((f) => f.label);
  const polygonLabels = features.filter((f) => f.type === "polygon").map((f) => f.label);
  const geometries: Json = {};
  if (boxLabels.length) geometries.box = { objects_to_annotate: boxLabels };
  if (polygonLabels.length) geometries.polygon = { objects_to_annotate: polygonLabels };

  const start = (ctx.initial as { annotations?: Json[] } | undefined)?.annotations ?? [];
  let regions: Region[] = start.flatMap((r) => {
    const location = r.location ? locationOf(r.location as Json) : null;
    return location && typeof r.uuid === "string"
      ? [{ uuid: r.uuid, page: Number(r.page ?? 0), label: String(r.label), text: String(r.text ?? ""), location, refs: (r.refs as string[]) ?? [], attributes: (r.attributes as Json) ?? {} }]
      : [];
  });
  // Regions come back in reading order within each page.
  const rank = new Map(start.map((r, i) => [r.uuid, typeof r.reading_order === "number" ? r.reading_order : i]));
  regions.sort((a, b) => a.page - b.page || (rank.get(a.uuid) as number) - (rank.get(b.uuid) as number));
  let page = 0;
  let image: ImageEditor | null = null;

  const pageBar = el("div", { class: "doc-pages", role: "group", "aria-label": "Pages" });
  const imageRoot = el("div", { class: "doc-image" });
  const list = el("ol", { class: "doc-regions", "aria-label": "Regions in reading order" });
  const side = el("div", { class: "doc-side" }, el("h2", {}, "Regions (reading order)"), el("p", { class: "hint" }, "Alt+↑/↓ in a region's text moves it; PageUp/PageDown turn the page."), list);
  const main = el("div", { class: "doc-editor" }, imageRoot, side);
  Object.assign(main.style, { display: "flex", gap: "12px", alignItems: "stretch", minHeight: "60vh" });
  Object.assign(imageRoot.style, { flex: "2 1 0", minWidth: "0", display: "flex", flexDirection: "column" });
  Object.assign(side.style, { flex: "1 1 0", minWidth: "220px", overflowY: "auto", maxHeight: "80vh" });
  root.replaceChildren(pageBar, main);

  function response(): Json {
    const perPage = new Map<number, number>();
    return {
      annotations: regions.map((r) => {
        const n = perPage.get(r.page) ?? 0;
        perPage.set(r.page, n + 1);
        return { ...r, reading_order: n };
      }),
    };
  }
  const changed = (): void => ctx.onChange(response());

  /** The image editor's shapes of this page are the regions' locations; new shapes are new
   * regions at the end of the reading order, removed ones go. */
  function syncFrom(resp: unknown): void {
    const anns = ((resp as { annotations?: Json[] }).annotations ?? []) as Json[];
    const byUuid = new Map(anns.map((a) => [a.uuid as string, a]));
    regions = regions.filter((r) => r.page !== page || byUuid.has(r.uuid));
    for (const a of anns) {
      const location = locationOf(a);
      if (!location) continue;
      const have = regions.find((r) => r.uuid === a.uuid);
      if (have) Object.assign(have, { label: a.label, location });
      else regions.push({ uuid: a.uuid as string, page, label: String(a.label), text: "", location, refs: [], attributes: {} });
    }
    renderList();
    changed();
  }

  function showPage(n: number): void {
    if (n < 0 || n >= pages.length) return;
    page = n;
    image?.destroy();
    const initial = { annotations: regions.filter((r) => r.page === n).map((r) => ({ uuid: r.uuid, label: r.label, attributes: {}, ...r.location })) };
    image = mountImage(imageRoot, {
      task: { ...ctx.task, type: "imageannotation", params: { attachment: pages[n], geometries } },
      initial,
      onChange: syncFrom,
    });
    pageBar.replaceChildren(
      ...pages.map((_, i) => {
        const b = keyButton(`Page ${i + 1}`, null, () => showPage(i));
        b.setAttribute("aria-pressed", String(i === n));
        return b;
      }),
    );
    renderList();
  }

  function move(r: Region, step: number): void {
    const mine = regions.filter((x) => x.page === r.page);
    const at = mine.indexOf(r);
    const other = mine[at + step];
    if (!other) return;
    const [i, j] = [regions.indexOf(r), regions.indexOf(other)];
    [regions[i], regions[j]] = [regions[j], regions[i]];
    renderList();
    changed();
    (document.getElementById(`region-${r.uuid}`) as HTMLElement | null)?.focus();
  }

  function renderList(): void {
    const mine = regions.filter((r) => r.page === page);
    list.replaceChildren(
      ...mine.map((r, i) => {
        const id = `region-${r.uuid}`;
        const text = el("textarea", { id, rows: "2" });
        text.value = r.text;
        text.addEventListener("input", () => {
          r.text = text.value;
          changed();
        });
        text.addEventListener("keydown", (e) => {
          if (e.altKey && (e.code === "ArrowUp" || e.code === "ArrowDown")) {
            e.preventDefault();
            move(r, e.code === "ArrowUp" ? -1 : 1);
          }
        });
        const up = keyButton("Earlier", null, () => move(r, -1));
        up.setAttribute("aria-label", `Move region ${i + 1} earlier`);
        const down = keyButton("Later", null, () => move(r, 1));
        down.setAttribute("aria-label", `Move region ${i + 1} later`);
        return el("li", {}, el("label", { for: id }, `Region ${i + 1}: ${r.label}`), text, up, down);
      }),
    );
  }

  function complete(): boolean {
    return features.every((f) => !f.required || regions.some((r) => r.label === f.label));
  }

  if (pages.length) showPage(0);
  else root.replaceChildren(el("p", { class: "error" }, "This task has no page images."));

  const editor: Editor & { debug: { image(): ImageEditor | null } } = {
    getResponse: () => (complete() ? response() : null),
    help: [
      ["Document: move a region earlier / later (in its text)", "Alt+↑ / Alt+↓"],
      ["Document: previous / next page", "PageUp / PageDown"],
    ],
    handleKey(e) {
      if (e.code === "PageDown" || e.code === "PageUp") {
        showPage(page + (e.code === "PageDown" ? 1 : -1));
        return true;
      }
      return image?.handleKey?.(e) ?? false;
    },
    focus: () => image?.focus?.(),
    destroy: () => {
      image?.destroy();
      root.replaceChildren();
    },
    debug: { image: () => image },
  };
  return editor;
};
