// The segmentation editor (`segmentannotation`): paint label indexes into a raster exactly
// the image's pixel size, with a brush, an eraser and polygon fill. The image, zoom and pan
// are the image editor's (View, toolbar); the label raster is an overlay above the image.
// The response is Scale's: `labelMapping` and a single-channel PNG of the indexes.
import type { Editor, EditorContext, MountEditor } from "../types";
import type { Vertex } from "../image/params";
import { colorOf, View, type Draft } from "../image/view";
import { buildToolbar } from "../image/toolbar";
import { decodeIndexed, encodeDeflated, encodeStored } from "./png";

type Mode = "brush" | "eraser" | "polygon";
const HISTORY = 100;
const ENCODE_DELAY_MS = 150;

interface LabelSpec {
  name: string;
  display: string;
  instance: boolean;
  index: number; // 1..255 in params order, as the server's consensus numbers them
}

type Json = Record<string, unknown>;

/** The selectable labels (leaves of nested LabelDescriptions), as `shapes.label_tree` reads them. */
function labelsOf(items: unknown[], out: LabelSpec[] = []): LabelSpec[] {
  for (const item of items) {
    if (typeof item === "string") out.push({ name: item, display: item, instance: false, index: out.length + 1 });
    else if (item && typeof item === "object") {
      const d = item as { choice: string; subchoices?: unknown[]; instance_label?: boolean; display?: string | null };
      if (d.subchoices?.length) labelsOf(d.subchoices, out);
      else out.push({ name: d.choice, display: d.display || d.choice, instance: !!d.instance_label, index: out.length + 1 });
    }
  }
  return out;
}

interface Edit {
  x0: number;
  y0: number;
  w: number;
  h: number;
  before: Uint8Array;
  after: Uint8Array;
}

export interface SegmentEditor extends Editor {
  debug: { ready: Promise<void>; mask(): Uint8Array; mode(): Mode; brush(): number };
}

export const mountSegmentEditor: MountEditor = (root, ctx) => mount(root, ctx);

export function mount(root: HTMLElement, ctx: EditorContext): SegmentEditor {
  const params = (ctx.task.params ?? {}) as Json;
  const attachment = String(params.attachment ?? "");
  const allowUnlabeled = params.allow_unlabeled === true;
  const labels = labelsOf((Array.isArray(params.labels) ? params.labels : [params.labels]) as unknown[]);
  let label = 0; // the label the brush and polygon paint
  let mode: Mode = "brush";
  let brush = 8; // diameter in image pixels, set from the image size once loaded
  let opacity = 0.5;
  let overlayShown = true;
  let mask = new Uint8Array(0);
  let [w, h] = [0, 0];
  let loaded = false;
  let destroyed = false;
  let fit = 1;
  let view = { scale: 1, x: 0, y: 0 };
  let spaceDown = false;
  let stroke: { last: Vertex; before: Uint8Array; box: [number, number, number, number] } | null = null;
  let pan: { sx: number; sy: number; ox: number; oy: number } | null = null;
  let path: Vertex[] | null = null;
  let cursor: Vertex | null = null;
  let labelled = 0;
  const undo: Edit[] = [];
  const redo: Edit[] = [];
  let version = 0;
  let encoded: { version: number; uri: string } | null = null;
  let encodeTimer: number | undefined;

  // --- DOM -------------------------------------------------------------------------------
  const shell = document.createElement("div");
  shell.className = "lw-image-editor lw-segment-editor";
  Object.assign(shell.style, { display: "flex", flexDirection: "column", gap: "6px", width: "100%", height: "100%", minHeight: "0" });
  const wrap = document.createElement("div");
  Object.assign(wrap.style, { flex: "1 1 auto", minHeight: "0", display: "flex", alignItems: "center", justifyContent: "center", overflow: "hidden" });
  const surface = document.createElement("div");
  surface.setAttribute("role", "img");
  surface.setAttribute("aria-label", "Task image");
  surface.tabIndex = 0;
  Object.assign(surface.style, { position: "relative", overflow: "hidden", touchAction: "none", outline: "none", flex: "0 0 auto", cursor: "crosshair" });
  const stageHost = document.createElement("div");
  surface.append(stageHost);
  wrap.append(surface);
  const tools = labels.map((l) => ({ kind: "mask", label: l.display }));
  const toolbar = buildToolbar(
    { tools, attributes: {} },
    {
      pickTool: (i) => pickLabel(i),
      undo: () => doUndo(),
      redo: () => doRedo(),
      remove: () => undefined,
      zoom: (f) => zoomAt(f, viewer.stage.width() / 2, viewer.stage.height() / 2),
      fit: () => setView(fit, 0, 0),
      filter: (b, c) => viewer.setFilter(b, c),
      setAttribute: () => undefined,
    },
    { unit: "labelled pixel", hint: "Space+drag pan · wheel zoom · Esc cancels a polygon" },
  );

  // Modes, brush size and overlay opacity: a third row under the image toolbar.
  const row = document.createElement("div");
  row.setAttribute("role", "group");
  row.setAttribute("aria-label", "Painting");
  Object.assign(row.style, { display: "flex", flexWrap: "wrap", gap: "6px", alignItems: "center" });
  const button = (text: string, onClick: () => void): HTMLButtonElement => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  };
  const modeButtons: Record<Mode, HTMLButtonElement> = {
    brush: button("Brush (B)", () => setMode("brush")),
    eraser: button("Eraser (E)", () => setMode("eraser")),
    polygon: button("Polygon fill (P)", () => setMode("polygon")),
  };
  const sizeOut = document.createElement("output");
  const resize = (factor: number): void => {
    const next = Math.round(brush * factor);
    brush = Math.max(1, Math.min(512, factor > 1 ? Math.max(brush + 1, next) : Math.min(brush - 1, next)));
    showState();
    drawActive();
  };
  const smallerB = button("Smaller ([)", () => resize(0.8));
  const largerB = button("Larger (])", () => resize(1.25));
  const opacityLabel = document.createElement("label");
  opacityLabel.append("Overlay opacity (O hides) ");
  const opacityInput = document.createElement("input");
  opacityInput.type = "range";
  opacityInput.min = "0";
  opacityInput.max = "100";
  opacityInput.value = String(opacity * 100);
  opacityInput.addEventListener("input", () => {
    opacity = Number(opacityInput.value) / 100;
    overlayShown = true;
    showOverlay();
  });
  opacityLabel.append(opacityInput);
  row.append(modeButtons.brush, modeButtons.eraser, modeButtons.polygon, sizeOut, smallerB, largerB, opacityLabel);
  toolbar.element.insertBefore(row, toolbar.element.lastChild);
  shell.append(toolbar.element, wrap);
  root.replaceChildren(shell);
  const viewer = new View(stageHost);
  const overlay = document.createElement("canvas");
  let pixels: ImageData | null = null;
  const rgb = labels.map((l) => {
    const n = parseInt(colorOf(l.index - 1).slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  });

  function showState(): void {
    for (const [m, b] of Object.entries(modeButtons)) b.setAttribute("aria-pressed", String(m === mode));
    sizeOut.textContent = `Brush ${brush} px`;
    toolbar.update({ tool: tools[label] ?? null, selected: null, canUndo: undo.length > 0, canRedo: redo.length > 0, count: labelled });
  }

  // --- image, fit, view -------------------------------------------------------------------
  const ready = new Promise<void>((resolve, reject) => {
    const img = new Image();
    img.decoding = "async";
    img.onload = () => {
      if (destroyed) return resolve();
      viewer.setImage(img);
      [w, h] = [img.naturalWidth, img.naturalHeight];
      mask = new Uint8Array(w * h);
      overlay.width = w;
      overlay.height = h;
      pixels = new ImageData(w, h);
      brush = Math.max(1, Math.round(Math.min(w, h) / 40));
      loaded = true;
      layout();
      void start().then(() => {
        surface.dataset.ready = "true";
        resolve();
      });
    };
    img.onerror = () => {
      toolbar.status(`The image could not be loaded: ${attachment}`);
      reject(new Error(`image failed to load: ${attachment}`));
    };
    img.src = attachment;
  });
  ready.catch(() => undefined);

  /** Start from the draft or the hypothesis: its indexes mapped to ours by label name. */
  async function start(): Promise<void> {
    const from = (ctx.initial ?? params.hypothesis) as { labelMapping?: Json; annotations?: { combined?: { indexedImage?: string } } } | undefined;
    const uri = from?.annotations?.combined?.indexedImage;
    if (uri && from?.labelMapping) {
      try {
        const got = await decodeIndexed(uri);
        if (got.width === w && got.height === h) {
          const table = new Uint8Array(256);
          for (const [name, entry] of Object.entries(from.labelMapping)) {
            const ours = labels.find((l) => l.name === name);
            for (const item of Array.isArray(entry) ? entry : [entry]) {
              const idx = typeof item === "number" ? item : (item as { index: number }).index;
              if (ours && idx > 0 && idx < 256) table[idx] = ours.index;
            }
          }
          for (let i = 0; i < mask.length; i++) mask[i] = table[got.data[i]];
        } else toolbar.status("The starting label map is not the image's size: starting empty");
      } catch {
        toolbar.status("The starting label map could not be read: starting empty");
      }
    }
    if (destroyed) return;
    paintOverlay(0, 0, w, h);
    recount();
    showState();
  }

  function layout(): void {
    if (!loaded) return;
    const box = wrap.getBoundingClientRect();
    const availW = Math.max(1, box.width);
    const availH = box.height > 50 ? box.height : Math.max(200, window.innerHeight - box.top - 8);
    const oldFit = fit;
    fit = Math.min(availW / w, availH / h);
    surface.style.width = `${w * fit}px`;
    surface.style.height = `${h * fit}px`;
    viewer.setSize(w * fit, h * fit);
    if (view.scale === oldFit && view.x === 0 && view.y === 0) view = { scale: fit, x: 0, y: 0 };
    else view = { scale: (view.scale / oldFit) * fit, x: (view.x / oldFit) * fit, y: (view.y / oldFit) * fit };
    viewer.setView(view.scale, view.x, view.y);
  }
  const resizer = new ResizeObserver(() => layout());
  resizer.observe(wrap);

  function setView(scale: number, x: number, y: number): void {
    view = { scale, x, y };
    viewer.setView(scale, x, y);
    drawActive();
  }
  function zoomAt(factor: number, sx: number, sy: number): void {
    const scale = Math.max(fit * 0.5, Math.min(fit * 64, view.scale * factor));
    const [ix, iy] = [(sx - view.x) / view.scale, (sy - view.y) / view.scale];
    setView(scale, sx - ix * scale, sy - iy * scale);
  }

  // --- the raster ---------------------------------------------------------------------------
  function paintOverlay(x0: number, y0: number, pw: number, ph: number): void {
    if (!pixels || pw <= 0 || ph <= 0) return;
    const d = pixels.data;
    for (let y = y0; y < y0 + ph; y++) {
      for (let x = x0; x < x0 + pw; x++) {
        const i = y * w + x;
        const v = mask[i];
        const c = v ? rgb[v - 1] : undefined;
        d[i * 4] = c ? c[0] : 0;
        d[i * 4 + 1] = c ? c[1] : 0;
        d[i * 4 + 2] = c ? c[2] : 0;
        d[i * 4 + 3] = c ? 255 : 0;
      }
    }
    overlay.getContext("2d")!.putImageData(pixels, 0, 0, x0, y0, pw, ph);
    showOverlay();
  }
  function showOverlay(): void {
    viewer.setOverlay(overlay, overlayShown ? opacity : 0);
  }

  function recount(): void {
    let n = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
    labelled = n;
  }

  const value = (): number => (mode === "eraser" ? 0 : labels[label]?.index ?? 0);

  /** Set the pixels whose centres lie within the brush's circle around `p`. */
  function stamp(p: Vertex, v: number, box: [number, number, number, number]): void {
    const r = brush / 2;
    const x0 = Math.max(0, Math.floor(p.x - r));
    const x1 = Math.min(w - 1, Math.ceil(p.x + r));
    const y0 = Math.max(0, Math.floor(p.y - r));
    const y1 = Math.min(h - 1, Math.ceil(p.y + r));
    const r2 = Math.max(r * r, 0.5);
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - p.y;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - p.x;
        if (dx * dx + dy * dy <= r2) mask[y * w + x] = v;
      }
    }
    box[0] = Math.min(box[0], x0);
    box[1] = Math.min(box[1], y0);
    box[2] = Math.max(box[2], x1 + 1);
    box[3] = Math.max(box[3], y1 + 1);
    paintOverlay(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  }

  function strokeTo(p: Vertex): void {
    if (!stroke) return;
    const { last } = stroke;
    const steps = Math.max(1, Math.ceil(Math.hypot(p.x - last.x, p.y - last.y) / Math.max(0.5, brush / 4)));
    for (let i = 1; i <= steps; i++) stamp({ x: last.x + ((p.x - last.x) * i) / steps, y: last.y + ((p.y - last.y) * i) / steps }, value(), stroke.box);
    stroke.last = p;
  }

  /** Fill the polygon (pixel centres inside it, even-odd) with the label. */
  function fillPolygon(vs: Vertex[]): [number, number, number, number] {
    const box: [number, number, number, number] = [w, h, 0, 0];
    const ys = vs.map((v) => v.y);
    const y0 = Math.max(0, Math.floor(Math.min(...ys)));
    const y1 = Math.min(h - 1, Math.ceil(Math.max(...ys)));
    const v = value();
    for (let y = y0; y <= y1; y++) {
      const yc = y + 0.5;
      const xs: number[] = [];
      for (let i = 0; i < vs.length; i++) {
        const [a, b] = [vs[i], vs[(i + 1) % vs.length]];
        if (a.y <= yc !== b.y <= yc) xs.push(a.x + ((yc - a.y) * (b.x - a.x)) / (b.y - a.y));
      }
      xs.sort((p, q) => p - q);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const from = Math.max(0, Math.ceil(xs[k] - 0.5));
        const to = Math.min(w, Math.ceil(xs[k + 1] - 0.5));
        if (to <= from) continue;
        mask.fill(v, y * w + from, y * w + to);
        box[0] = Math.min(box[0], from);
        box[2] = Math.max(box[2], to);
        box[1] = Math.min(box[1], y);
        box[3] = Math.max(box[3], y + 1);
      }
    }
    return box;
  }

  function region(src: Uint8Array, x0: number, y0: number, rw: number, rh: number): Uint8Array {
    const out = new Uint8Array(rw * rh);
    for (let y = 0; y < rh; y++) out.set(src.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + rw), y * rw);
    return out;
  }
  function put(e: Edit, data: Uint8Array): void {
    for (let y = 0; y < e.h; y++) mask.set(data.subarray(y * e.w, (y + 1) * e.w), (e.y0 + y) * w + e.x0);
    paintOverlay(e.x0, e.y0, e.w, e.h);
  }

  /** Record an edit of `box` (from the full copy `before`) as one undo step. */
  function commit(before: Uint8Array, box: [number, number, number, number]): void {
    const [x0, y0, x1, y1] = box;
    if (x1 <= x0 || y1 <= y0) return;
    const e = { x0, y0, w: x1 - x0, h: y1 - y0, before: region(before, x0, y0, x1 - x0, y1 - y0), after: region(mask, x0, y0, x1 - x0, y1 - y0) };
    undo.push(e);
    if (undo.length > HISTORY) undo.shift();
    redo.length = 0;
    changed();
  }
  function doUndo(): boolean {
    const e = undo.pop();
    if (!e) return false;
    put(e, e.before);
    redo.push(e);
    changed();
    return true;
  }
  function doRedo(): boolean {
    const e = redo.pop();
    if (!e) return false;
    put(e, e.after);
    undo.push(e);
    changed();
    return true;
  }

  // Drafts and the shell get the deflated PNG (small) once it is ready; a submit before
  // then gets the uncompressed one, the same pixels.
  function changed(): void {
    recount();
    showState();
    version += 1;
    window.clearTimeout(encodeTimer);
    encodeTimer = window.setTimeout(() => {
      const v = version;
      void encodeDeflated(w, h, mask).then((uri) => {
        if (v !== version || destroyed) return;
        encoded = { version: v, uri };
        const r = response();
        if (r) ctx.onChange(r);
      });
    }, ENCODE_DELAY_MS);
  }

  function mapping(): Json {
    const out: Json = {};
    for (const l of labels) {
      const entry = { index: l.index, color: colorOf(l.index - 1) };
      out[l.name] = l.instance ? [entry] : entry;
    }
    return out;
  }

  function response(): Json | null {
    if (!loaded) return null;
    if (!allowUnlabeled && labelled < w * h) return null;
    const uri = encoded?.version === version ? encoded.uri : encodeStored(w, h, mask);
    return { annotations: { combined: { indexedImage: uri } }, labelMapping: mapping() };
  }

  // --- modes, labels ------------------------------------------------------------------------
  function pickLabel(i: number): boolean {
    if (!labels[i]) return false;
    label = i;
    if (mode === "eraser") mode = "brush";
    toolbar.status(`${i + 1}: ${labels[i].display}`);
    showState();
    return true;
  }
  function setMode(m: Mode): void {
    if (m !== "polygon") path = null;
    mode = m;
    toolbar.status(m === "polygon" ? "Click the corners; click the first one (or double-click) to fill" : `${m === "brush" ? "Brush" : "Eraser"} ${brush} px`);
    showState();
    drawActive();
  }

  function drawActive(): void {
    let draft: Draft | null = null;
    const color = mode === "eraser" ? "#ffffff" : colorOf(label);
    if (path && path.length) draft = { kind: "path", color, closed: true, points: [...path, cursor ?? path[path.length - 1]] };
    else if (cursor && mode !== "polygon") {
      const r = brush / 2;
      draft = { kind: "ellipse", color, points: [{ x: cursor.x - r, y: cursor.y - r }, { x: cursor.x + r, y: cursor.y + r }] };
    }
    viewer.renderActive(null, color, null, draft);
  }

  // --- pointer ---------------------------------------------------------------------------------
  const toImage = (e: { clientX: number; clientY: number }): { screen: Vertex; image: Vertex } => {
    const r = surface.getBoundingClientRect();
    const screen = { x: e.clientX - r.left, y: e.clientY - r.top };
    return { screen, image: { x: (screen.x - view.x) / view.scale, y: (screen.y - view.y) / view.scale } };
  };
  // Polygon corners snap to pixel corners: a rectangle drawn from corner to corner is exact.
  const corner = (p: Vertex): Vertex => ({ x: Math.max(0, Math.min(w, Math.round(p.x))), y: Math.max(0, Math.min(h, Math.round(p.y))) });
  let lastClick = 0;

  function onPointerDown(e: PointerEvent): void {
    if (!loaded) return;
    surface.focus({ preventScroll: true });
    const { screen, image } = toImage(e);
    if (e.button === 1 || (e.button === 0 && spaceDown)) {
      e.preventDefault();
      surface.setPointerCapture(e.pointerId);
      pan = { sx: screen.x, sy: screen.y, ox: view.x, oy: view.y };
      return;
    }
    if (e.button !== 0) return;
    if (mode === "polygon") {
      const p = corner(image);
      const now = performance.now();
      if (path && path.length >= 3) {
        const first = path[0];
        const last = path[path.length - 1];
        const onFirst = Math.hypot(p.x - first.x, p.y - first.y) * view.scale <= 6;
        const double = now - lastClick < 350 && Math.hypot(p.x - last.x, p.y - last.y) * view.scale <= 6;
        if (onFirst || double) return finishPolygon();
      }
      lastClick = now;
      path = [...(path ?? []), p];
      drawActive();
      return;
    }
    surface.setPointerCapture(e.pointerId);
    stroke = { last: image, before: mask.slice(), box: [w, h, 0, 0] };
    stamp(image, value(), stroke.box);
  }

  function finishPolygon(): void {
    const vs = path;
    path = null;
    if (!vs || vs.length < 3) return drawActive();
    const before = mask.slice();
    const box = fillPolygon(vs);
    paintOverlay(box[0], box[1], box[2] - box[0], box[3] - box[1]);
    commit(before, box);
    drawActive();
  }

  function onPointerMove(e: PointerEvent): void {
    if (!loaded) return;
    const { screen, image } = toImage(e);
    if (pan) return setView(view.scale, pan.ox + screen.x - pan.sx, pan.oy + screen.y - pan.sy);
    cursor = mode === "polygon" ? corner(image) : image;
    if (stroke) strokeTo(image);
    drawActive();
  }

  function onPointerUp(e: PointerEvent): void {
    if (surface.hasPointerCapture(e.pointerId)) surface.releasePointerCapture(e.pointerId);
    pan = null;
    if (!stroke) return;
    const s = stroke;
    stroke = null;
    commit(s.before, s.box);
  }

  surface.addEventListener("pointerdown", onPointerDown);
  surface.addEventListener("pointermove", onPointerMove);
  surface.addEventListener("pointerup", onPointerUp);
  surface.addEventListener("pointercancel", onPointerUp);
  surface.addEventListener("pointerleave", () => {
    cursor = null;
    drawActive();
  });
  surface.addEventListener("wheel", (e) => {
    if (!loaded) return;
    e.preventDefault();
    const { screen } = toImage(e);
    zoomAt(Math.exp(-e.deltaY * 0.0015), screen.x, screen.y);
  }, { passive: false });
  const onKeyUp = (e: KeyboardEvent): void => {
    if (e.code === "Space") spaceDown = false;
  };
  window.addEventListener("keyup", onKeyUp);

  // --- keys ----------------------------------------------------------------------------------
  function handleKey(e: KeyboardEvent): boolean {
    const target = e.target as HTMLElement | null;
    if (target && target.closest("input:not([type=range]), textarea, select, [contenteditable='true']")) return false;
    if (e.ctrlKey || e.metaKey) {
      if (e.code === "KeyZ") return e.shiftKey ? doRedo() : doUndo();
      if (e.code === "KeyY") return doRedo();
      return false;
    }
    if (e.altKey) return false;
    const digit = /^(Digit|Numpad)([1-9])$/.exec(e.code);
    if (digit) return pickLabel(Number(digit[2]) - 1);
    switch (e.code) {
      case "KeyB":
        setMode("brush");
        return true;
      case "KeyE":
        setMode("eraser");
        return true;
      case "KeyP":
        setMode("polygon");
        return true;
      case "BracketLeft":
        resize(0.8);
        return true;
      case "BracketRight":
        resize(1.25);
        return true;
      case "KeyO":
        overlayShown = !overlayShown;
        showOverlay();
        return true;
      case "Space":
        spaceDown = true;
        return true;
      case "Escape":
        if (!path) return false;
        path = null;
        drawActive();
        return true;
      case "Equal":
      case "NumpadAdd":
        zoomAt(1.25, viewer.stage.width() / 2, viewer.stage.height() / 2);
        return true;
      case "Minus":
      case "NumpadSubtract":
        zoomAt(0.8, viewer.stage.width() / 2, viewer.stage.height() / 2);
        return true;
      case "Digit0":
      case "Numpad0":
        setView(fit, 0, 0);
        return true;
    }
    return false;
  }

  showState();
  return {
    getResponse: () => response(),
    handleKey,
    help: [
      ["Segmentation: brush / eraser / polygon fill", "B / E / P"],
      ["Segmentation: brush size", "[ / ]"],
      ["Segmentation: overlay off / on", "O"],
      ["Undo / redo", "Ctrl+Z / Ctrl+Shift+Z"],
    ],
    focus: () => surface.focus({ preventScroll: true }),
    destroy: () => {
      destroyed = true;
      window.clearTimeout(encodeTimer);
      resizer.disconnect();
      window.removeEventListener("keyup", onKeyUp);
      viewer.destroy();
      root.replaceChildren();
    },
    debug: { ready, mask: () => mask, mode: () => mode, brush: () => brush },
  };
}
