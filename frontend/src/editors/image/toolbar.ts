// The controls above the image: one button per label key, undo/redo/delete, zoom,
// brightness and contrast, the selected shape's attributes and a status line.
// Built with DOM calls only (no inline style attributes or HTML strings: the workspace's CSP).
import type { Ann, Spec } from "./params";
import { colorOf } from "./view";

/** What the toolbar needs of a spec: the label keys and the attributes (the segmentation
 * editor passes its own labels with the kind "mask"). */
export interface ToolbarSpec {
  tools: { kind: string; label: string }[];
  attributes: Spec["attributes"];
}
type Tool = ToolbarSpec["tools"][number];

export interface ToolbarActions {
  pickTool(i: number): void;
  undo(): void;
  redo(): void;
  remove(): void;
  zoom(factor: number): void;
  fit(): void;
  filter(brightness: number, contrast: number): void;
  setAttribute(name: string, value: unknown): void;
}

export interface Toolbar {
  element: HTMLElement;
  update(state: { tool: Tool | null; selected: Ann | null; canUndo: boolean; canRedo: boolean; count: number }): void;
  status(text: string): void;
}

function button(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

function slider(name: string, onInput: (v: number) => void): HTMLLabelElement {
  const label = document.createElement("label");
  label.append(`${name} `);
  const input = document.createElement("input");
  input.type = "range";
  input.min = "20";
  input.max = "300";
  input.value = "100";
  input.addEventListener("input", () => onInput(Number(input.value)));
  label.append(input);
  return label;
}

export function buildToolbar(spec: ToolbarSpec, act: ToolbarActions, opts: { unit?: string; hint?: string } = {}): Toolbar {
  const unit = opts.unit ?? "shape";
  const el = document.createElement("div");
  el.className = "lw-image-toolbar";
  Object.assign(el.style, { display: "flex", flexDirection: "column", gap: "4px", flex: "0 0 auto" });

  const tools = document.createElement("div");
  tools.setAttribute("role", "group");
  tools.setAttribute("aria-label", "Labels");
  Object.assign(tools.style, { display: "flex", flexWrap: "wrap", gap: "4px" });
  const toolButtons = spec.tools.map((t, i) => {
    const b = button(`${i < 9 ? `${i + 1} ` : ""}${t.label} · ${t.kind}`, i < 9 ? `Key ${i + 1}` : "", () => act.pickTool(i));
    b.setAttribute("aria-pressed", "false");
    b.style.borderLeft = `6px solid ${colorOf(i)}`;
    tools.append(b);
    return b;
  });

  const undoB = button("Undo (Ctrl+Z)", "Ctrl+Z", act.undo);
  const redoB = button("Redo (Ctrl+Shift+Z)", "Ctrl+Shift+Z", act.redo);
  const delB = button("Delete (Del)", "Delete or Backspace", act.remove);
  const zoomIn = button("Zoom in (+)", "+ or wheel", () => act.zoom(1.25));
  const zoomOut = button("Zoom out (−)", "- or wheel", () => act.zoom(0.8));
  const fitB = button("Fit (0)", "0", act.fit);
  const hint = document.createElement("span");
  hint.textContent = opts.hint ?? "[ ] select · arrows nudge · Alt+click add/remove vertex · Space+drag pan · Esc";
  let brightness = 100;
  let contrast = 100;
  const bright = slider("Brightness", (v) => act.filter((brightness = v), contrast));
  const contr = slider("Contrast", (v) => act.filter(brightness, (contrast = v)));

  const attrs = document.createElement("div");
  attrs.className = "lw-image-attributes";
  Object.assign(attrs.style, { display: "flex", flexWrap: "wrap", gap: "6px" });
  const statusEl = document.createElement("div");
  statusEl.setAttribute("role", "status");
  statusEl.setAttribute("aria-live", "polite");
  const countEl = document.createElement("span");

  // Two rows: the controls, then a fixed-height line for the count, the selected shape's
  // attributes and the status, so that what changes while working never moves the image.
  const controls = document.createElement("div");
  Object.assign(controls.style, { display: "flex", flexWrap: "wrap", gap: "6px", alignItems: "center" });
  controls.append(tools, undoB, redoB, delB, zoomIn, zoomOut, fitB, bright, contr, hint);
  const live = document.createElement("div");
  Object.assign(live.style, { display: "flex", gap: "12px", alignItems: "center", height: "2em", overflow: "hidden", whiteSpace: "nowrap" });
  Object.assign(attrs.style, { flexWrap: "nowrap" });
  live.append(countEl, attrs, statusEl);
  el.append(controls, live);

  let attrsFor = "";
  function renderAttributes(sel: Ann | null): void {
    const key = sel ? `${sel.uuid}:${sel.label}:${JSON.stringify(sel.attributes)}` : "";
    if (key === attrsFor) return;
    attrsFor = key;
    attrs.replaceChildren();
    if (!sel) return;
    for (const [name, a] of Object.entries(spec.attributes)) {
      if (a.labels && !a.labels.includes(sel.label)) continue;
      const label = document.createElement("label");
      label.append(`${name} `);
      const current = sel.attributes[name];
      let input: HTMLInputElement | HTMLSelectElement;
      if (a.type === "category") {
        const select = document.createElement("select");
        for (const choice of ["", ...(a.choices ?? [])]) {
          const o = document.createElement("option");
          o.value = choice;
          o.textContent = choice || "—";
          select.append(o);
        }
        select.value = typeof current === "string" ? current : "";
        select.addEventListener("change", () => act.setAttribute(name, select.value || undefined));
        input = select;
      } else {
        const field = document.createElement("input");
        field.type = a.type === "number" ? "number" : "text";
        if (a.min !== undefined) field.min = String(a.min);
        if (a.max !== undefined) field.max = String(a.max);
        field.value = current === undefined ? "" : String(current);
        field.addEventListener("change", () => {
          if (field.value === "") act.setAttribute(name, undefined);
          else if (a.type === "number") {
            const n = Number(field.value);
            if (Number.isFinite(n)) act.setAttribute(name, n);
          } else act.setAttribute(name, field.value);
        });
        input = field;
      }
      if (a.description) input.title = a.description;
      label.append(input);
      attrs.append(label);
    }
  }

  return {
    element: el,
    update({ tool, selected, canUndo, canRedo, count }) {
      spec.tools.forEach((t, i) => {
        const on = tool === t;
        const b = toolButtons[i];
        if (b.getAttribute("aria-pressed") === String(on)) return;
        b.setAttribute("aria-pressed", String(on));
        b.style.fontWeight = on ? "bold" : "";
        b.style.outline = on ? `2px solid ${colorOf(i)}` : "";
      });
      undoB.disabled = !canUndo;
      redoB.disabled = !canRedo;
      delB.disabled = !selected;
      countEl.textContent = `${count} ${unit}${count === 1 ? "" : "s"}`;
      renderAttributes(selected);
    },
    status(text: string) {
      statusEl.textContent = text;
    },
  };
}
