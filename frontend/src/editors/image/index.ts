// The image editor: boxes, polygons, lines, points and ellipses on a task's image, for
// `imageannotation` and Scale's single-geometry types (see params.ts). Everything is kept
// in image pixels; the view only maps screen to image with one scale and offset.
import type { Editor, EditorContext, MountEditor, WorkTask } from "../types";
import { boundedShift, clampInto, distToSegment, edgesOf, handlesOf, hits, moveHandle, translate } from "./geometry";
import { annotationsFrom, newUuid, responseOf, specOf, type Ann, type Spec, type Tool, type Vertex } from "./params";
import { colorOf, View, type Draft } from "./view";
import { buildToolbar, type Toolbar } from "./toolbar";

const TOL = 6; // hit slack in screen pixels
const MIN_SIZE = 2; // smallest box/ellipse side drawn by a drag, in screen pixels
const HISTORY = 200;

type Mode =
  | { kind: "idle" }
  | { kind: "pan"; sx: number; sy: number; ox: number; oy: number }
  | { kind: "drag"; tool: Tool; start: Vertex; cur: Vertex; sx: number; sy: number }
  | { kind: "path"; tool: Tool; vertices: Vertex[]; cursor: Vertex | null; lastClick: number }
  | { kind: "handle"; index: number; before: string; moved: boolean }
  | { kind: "move"; last: Vertex; before: string; moved: boolean };

export interface ImageEditor extends Editor {
  /** Test and benchmark hooks; not part of the shell's contract. */
  debug: {
    ready: Promise<void>;
    view(): { scale: number; x: number; y: number; fit: number };
    setView(scale: number, x: number, y: number): void;
    /** Set the view and draw every layer synchronously (benchmarks time this). */
    drawAt(scale: number, x: number, y: number): void;
    tool(): Tool | null;
    selected(): string | null;
    select(uuid: string | null): void;
  };
}

export const mountImageEditor: MountEditor = (root, ctx) => mount(root, ctx);

/** "Copy from previous task": the shapes of a previous response that fit `task` (its
 * geometries and labels), with new uuids, as an `initial` for mounting; null when none fit. */
export function copyFromPrevious(task: WorkTask, previous: unknown): Record<string, unknown> | null {
  const spec = specOf(task.type, task.params ?? {});
  const anns = annotationsFrom(spec, previous).map((a) => ({ ...a, uuid: newUuid() }));
  return anns.length ? responseOf(spec, anns, {}) : null;
}

export function mount(root: HTMLElement, ctx: EditorContext): ImageEditor {
  const spec: Spec = specOf(ctx.task.type, ctx.task.params ?? {});
  // A draft or a previous task's response (`initial`) wins over the hypothesis pre-labels.
  let anns: Ann[] = ctx.initial != null ? annotationsFrom(spec, ctx.initial) : spec.hypothesis.map((a) => structuredClone(a));
  const initialObj = ctx.initial as { global_attributes?: Record<string, unknown> } | undefined;
  const globalAttributes: Record<string, unknown> = { ...(initialObj?.global_attributes ?? {}) };
  let selected: string | null = null;
  let selectedVertex: number | null = null;
  let tool: Tool | null = null;
  let mode: Mode = { kind: "idle" };
  let spaceDown = false;
  const undo: string[] = [];
  const redo: string[] = [];
  let fit = 1;
  let view = { scale: 1, x: 0, y: 0 };
  let loaded = false;
  let destroyed = false;

  // --- DOM -------------------------------------------------------------------------------
  const shell = document.createElement("div");
  shell.className = "lw-image-editor";
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
  const labelIndex = new Map(spec.tools.map((t, i) => [`${t.kind}:${t.label}`, i]));
  const colorFor = (a: { type: string; label: string }): string => colorOf(labelIndex.get(`${a.type}:${a.label}`) ?? 0);
  const toolbar: Toolbar = buildToolbar(spec, {
    pickTool: (i) => pickTool(i),
    undo: () => doUndo(),
    redo: () => doRedo(),
    remove: () => deleteSelection(),
    zoom: (f) => zoomAt(f, surfaceW() / 2, surfaceH() / 2),
    fit: () => resetView(),
    filter: (b, c) => viewer.setFilter(b, c),
    setAttribute: (name, value) => setAttribute(name, value),
  });
  shell.append(toolbar.element, wrap);
  root.replaceChildren(shell);
  const viewer = new View(stageHost);

  const surfaceW = (): number => viewer.stage.width();
  const surfaceH = (): number => viewer.stage.height();

  // --- image and fit ------------------------------------------------------------------------
  const ready = new Promise<void>((resolve, reject) => {
    const img = new Image();
    img.decoding = "async";
    img.onload = () => {
      if (destroyed) return resolve(); // unmounted (e.g. a skipped prefetch) before it loaded
      viewer.setImage(img);
      loaded = true;
      layout();
      render();
      surface.dataset.ready = "true";
      resolve();
    };
    img.onerror = () => {
      toolbar.status(`The image could not be loaded: ${spec.attachment}`);
      reject(new Error(`image failed to load: ${spec.attachment}`));
    };
    img.src = spec.attachment;
  });
  ready.catch(() => undefined);

  /** Size the surface to the image at fit-to-screen zoom within the space the root gives. */
  function layout(): void {
    if (!loaded) return;
    const box = wrap.getBoundingClientRect();
    const availW = Math.max(1, box.width);
    const availH = box.height > 50 ? box.height : Math.max(200, window.innerHeight - box.top - 8);
    const [w, h] = [viewer.naturalWidth, viewer.naturalHeight];
    const oldFit = fit;
    fit = Math.min(availW / w, availH / h);
    const [sw, sh] = [w * fit, h * fit];
    surface.style.width = `${sw}px`;
    surface.style.height = `${sh}px`;
    viewer.setSize(sw, sh);
    if (view.scale === oldFit && view.x === 0 && view.y === 0) view = { scale: fit, x: 0, y: 0 };
    else view = { scale: (view.scale / oldFit) * fit, x: (view.x / oldFit) * fit, y: (view.y / oldFit) * fit };
    viewer.setView(view.scale, view.x, view.y);
  }
  const resizer = new ResizeObserver(() => layout());
  resizer.observe(wrap);

  function setView(scale: number, x: number, y: number): void {
    view = { scale, x, y };
    viewer.setView(scale, x, y);
    render(false);
  }
  function resetView(): void {
    setView(fit, 0, 0);
  }
  function zoomAt(factor: number, sx: number, sy: number): void {
    const scale = Math.max(fit * 0.5, Math.min(fit * 64, Math.max(view.scale * factor, 1e-6)));
    const ix = (sx - view.x) / view.scale;
    const iy = (sy - view.y) / view.scale;
    setView(scale, sx - ix * scale, sy - iy * scale);
  }

  // --- state --------------------------------------------------------------------------------
  const find = (uuid: string | null): Ann | undefined => (uuid ? anns.find((a) => a.uuid === uuid) : undefined);
  const snapshot = (): string => JSON.stringify(anns);
  const tol = (): number => TOL / view.scale;

  function response(): Record<string, unknown> {
    return responseOf(spec, anns, globalAttributes);
  }

  function render(staticToo = true): void {
    const sel = find(selected) ?? null;
    if (!sel) {
      selected = null;
      selectedVertex = null;
    }
    if (staticToo) viewer.renderStatic(anns, selected, colorFor);
    let draft: Draft | null = null;
    if (mode.kind === "drag") draft = { kind: mode.tool.kind === "ellipse" ? "ellipse" : "box", color: colorFor({ type: mode.tool.kind, label: mode.tool.label }), points: [mode.start, mode.cur] };
    if (mode.kind === "path") {
      const pts = mode.cursor ? [...mode.vertices, mode.cursor] : [...mode.vertices, mode.vertices[mode.vertices.length - 1]];
      draft = { kind: "path", color: colorFor({ type: mode.tool.kind, label: mode.tool.label }), points: pts, closed: mode.tool.kind === "polygon" };
    }
    viewer.renderActive(sel, sel ? colorFor(sel) : "#fff", selectedVertex, draft);
    toolbar.update({ tool, selected: sel, canUndo: undo.length > 0, canRedo: redo.length > 0, count: anns.length });
  }

  /** Record `before` as an undo step, redraw and tell the shell. */
  function changed(before: string): void {
    undo.push(before);
    if (undo.length > HISTORY) undo.shift();
    redo.length = 0;
    render();
    ctx.onChange(response());
  }

  function restore(state: string): void {
    anns = JSON.parse(state) as Ann[];
    if (!find(selected)) selected = null;
    selectedVertex = null;
    render();
    ctx.onChange(response());
  }
  function doUndo(): boolean {
    const state = undo.pop();
    if (state === undefined) return false;
    redo.push(snapshot());
    restore(state);
    return true;
  }
  function doRedo(): boolean {
    const state = redo.pop();
    if (state === undefined) return false;
    undo.push(snapshot());
    restore(state);
    return true;
  }

  function pickTool(i: number): boolean {
    const next = spec.tools[i];
    if (!next) return false;
    cancelDraft();
    tool = next;
    toolbar.status(`${i + 1}: ${next.label} (${next.kind})`);
    render(false);
    return true;
  }

  function cancelDraft(): boolean {
    if (mode.kind === "path" || mode.kind === "drag") {
      mode = { kind: "idle" };
      render(false);
      return true;
    }
    return false;
  }

  function add(a: Ann): void {
    const before = snapshot();
    clampInto(a, viewer.naturalWidth, viewer.naturalHeight);
    anns.push(a);
    selected = a.uuid;
    selectedVertex = null;
    changed(before);
  }

  function finishPath(): boolean {
    if (mode.kind !== "path") return false;
    const { tool: t, vertices } = mode;
    const g = spec.geometries[t.kind]!;
    const least = Math.max(t.kind === "polygon" ? 3 : 2, g.min_vertices ?? 0);
    if (vertices.length < least) {
      toolbar.status(`A ${t.kind} needs at least ${least} vertices`);
      return true;
    }
    mode = { kind: "idle" };
    add({ type: t.kind, uuid: newUuid(), label: t.label, attributes: {}, vertices: vertices.slice(0, g.max_vertices ?? undefined) });
    return true;
  }

  function deleteSelection(): boolean {
    const sel = find(selected);
    if (!sel) return false;
    const before = snapshot();
    if (selectedVertex !== null && (sel.type === "polygon" || sel.type === "line")) {
      const least = Math.max(sel.type === "polygon" ? 3 : 2, spec.geometries[sel.type]?.min_vertices ?? 0);
      if (sel.vertices!.length > least) {
        sel.vertices!.splice(selectedVertex, 1);
        selectedVertex = null;
        changed(before);
        return true;
      }
    }
    anns = anns.filter((a) => a !== sel);
    selected = null;
    selectedVertex = null;
    changed(before);
    return true;
  }

  function setAttribute(name: string, value: unknown): void {
    const sel = find(selected);
    if (!sel) return;
    const before = snapshot();
    if (value === undefined || value === "") delete sel.attributes[name];
    else sel.attributes[name] = value;
    changed(before);
  }

  function nudge(dx: number, dy: number): boolean {
    const sel = find(selected);
    if (!sel) {
      setView(view.scale, view.x - dx * 10, view.y - dy * 10);
      return true;
    }
    const before = snapshot();
    const [bx, by] = boundedShift(sel, dx, dy, viewer.naturalWidth, viewer.naturalHeight);
    if (bx === 0 && by === 0) return true;
    translate(sel, bx, by);
    changed(before);
    return true;
  }

  // --- pointer ---------------------------------------------------------------------------------
  const toImage = (e: { clientX: number; clientY: number }): { screen: Vertex; image: Vertex } => {
    const r = surface.getBoundingClientRect();
    const screen = { x: e.clientX - r.left, y: e.clientY - r.top };
    return { screen, image: { x: (screen.x - view.x) / view.scale, y: (screen.y - view.y) / view.scale } };
  };
  const clampPoint = (p: Vertex): Vertex => ({ x: Math.max(0, Math.min(viewer.naturalWidth, p.x)), y: Math.max(0, Math.min(viewer.naturalHeight, p.y)) });

  function topmostAt(p: Vertex): Ann | undefined {
    for (let i = anns.length - 1; i >= 0; i--) if (hits(anns[i], p, tol())) return anns[i];
    return undefined;
  }

  function onPointerDown(e: PointerEvent): void {
    if (!loaded) return;
    surface.focus({ preventScroll: true });
    const { screen, image } = toImage(e);
    if (e.button === 1 || (e.button === 0 && spaceDown)) {
      e.preventDefault();
      surface.setPointerCapture(e.pointerId);
      mode = { kind: "pan", sx: screen.x, sy: screen.y, ox: view.x, oy: view.y };
      surface.style.cursor = "grabbing";
      return;
    }
    if (e.button !== 0) return;
    const p = clampPoint(image);
    if (mode.kind === "path") {
      const vs = mode.vertices;
      const last = vs[vs.length - 1];
      const now = performance.now();
      const double = now - mode.lastClick < 350 && Math.hypot(p.x - last.x, p.y - last.y) * view.scale < TOL;
      const onFirst = mode.tool.kind === "polygon" && vs.length >= 3 && Math.hypot(p.x - vs[0].x, p.y - vs[0].y) <= tol();
      if (double || onFirst) {
        finishPath();
        return;
      }
      vs.push(p);
      mode.lastClick = now;
      const max = spec.geometries[mode.tool.kind]?.max_vertices;
      if (max && vs.length >= max) finishPath();
      else render(false);
      return;
    }
    const sel = find(selected);
    if (sel && !(e.ctrlKey || e.metaKey)) {
      const hi = handlesOf(sel).findIndex((h) => Math.hypot(h.x - image.x, h.y - image.y) <= tol());
      if (hi >= 0 && e.altKey && (sel.type === "polygon" || sel.type === "line")) {
        selectedVertex = hi;
        deleteSelection();
        return;
      }
      if (hi >= 0) {
        selectedVertex = hi;
        surface.setPointerCapture(e.pointerId);
        mode = { kind: "handle", index: hi, before: snapshot(), moved: false };
        render(false);
        return;
      }
      if (e.altKey && (sel.type === "polygon" || sel.type === "line")) {
        const edge = edgesOf(sel).find(([i, j]) => distToSegment(image, sel.vertices![i], sel.vertices![j]) <= tol());
        if (edge) {
          const before = snapshot();
          const at = edge[0] + 1;
          sel.vertices!.splice(at, 0, p);
          selectedVertex = at;
          changed(before);
          surface.setPointerCapture(e.pointerId);
          mode = { kind: "handle", index: at, before: snapshot(), moved: false };
          return;
        }
      }
      if (!tool && hits(sel, image, tol())) {
        surface.setPointerCapture(e.pointerId);
        mode = { kind: "move", last: p, before: snapshot(), moved: false };
        return;
      }
    }
    if (!tool || e.ctrlKey || e.metaKey) {
      const hit = topmostAt(image);
      selected = hit?.uuid ?? null;
      selectedVertex = null;
      if (hit && !tool) {
        surface.setPointerCapture(e.pointerId);
        mode = { kind: "move", last: p, before: snapshot(), moved: false };
      }
      render();
      return;
    }
    if (tool.kind === "point") {
      add({ type: "point", uuid: newUuid(), label: tool.label, attributes: {}, x: p.x, y: p.y });
      return;
    }
    if (tool.kind === "polygon" || tool.kind === "line") {
      selected = null;
      mode = { kind: "path", tool, vertices: [p], cursor: p, lastClick: performance.now() };
      render();
      return;
    }
    surface.setPointerCapture(e.pointerId);
    mode = { kind: "drag", tool, start: p, cur: p, sx: screen.x, sy: screen.y };
  }

  function onPointerMove(e: PointerEvent): void {
    if (!loaded) return;
    const { screen, image } = toImage(e);
    const p = clampPoint(image);
    switch (mode.kind) {
      case "pan":
        setView(view.scale, mode.ox + screen.x - mode.sx, mode.oy + screen.y - mode.sy);
        return;
      case "drag":
        mode.cur = p;
        render(false);
        return;
      case "path":
        mode.cursor = p;
        render(false);
        return;
      case "handle": {
        const sel = find(selected);
        if (!sel) return;
        moveHandle(sel, mode.index, p);
        mode.moved = true;
        render(false);
        return;
      }
      case "move": {
        const sel = find(selected);
        if (!sel) return;
        const [dx, dy] = boundedShift(sel, p.x - mode.last.x, p.y - mode.last.y, viewer.naturalWidth, viewer.naturalHeight);
        translate(sel, dx, dy);
        mode.last = { x: mode.last.x + dx, y: mode.last.y + dy };
        mode.moved = mode.moved || dx !== 0 || dy !== 0;
        render(false);
        return;
      }
    }
  }

  function onPointerUp(e: PointerEvent): void {
    if (surface.hasPointerCapture(e.pointerId)) surface.releasePointerCapture(e.pointerId);
    const m = mode;
    if (m.kind === "path") return;
    mode = { kind: "idle" };
    surface.style.cursor = "crosshair";
    if (m.kind === "drag") {
      const { screen } = toImage(e);
      const [a, b] = [m.start, clampPoint(toImage(e).image)];
      const tiny = Math.abs(screen.x - m.sx) < MIN_SIZE || Math.abs(screen.y - m.sy) < MIN_SIZE;
      if (tiny) {
        // A click, not a drag: select what is under it.
        selected = topmostAt(a)?.uuid ?? null;
        render();
        return;
      }
      const [w, h] = [Math.abs(b.x - a.x), Math.abs(b.y - a.y)];
      const g = spec.geometries[m.tool.kind]!;
      if (m.tool.kind === "box" && (w < (g.min_width ?? 0) || h < (g.min_height ?? 0))) {
        toolbar.status(`Too small: a box needs at least ${g.min_width ?? 0}×${g.min_height ?? 0} px`);
        render(false);
        return;
      }
      const base = { uuid: newUuid(), label: m.tool.label, attributes: {} };
      if (m.tool.kind === "box") add({ ...base, type: "box", left: Math.min(a.x, b.x), top: Math.min(a.y, b.y), width: w, height: h });
      else add({ ...base, type: "ellipse", x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, rx: w / 2, ry: h / 2, angle: 0 });
      return;
    }
    if ((m.kind === "handle" || m.kind === "move") && m.moved) {
      const sel = find(selected);
      if (sel) {
        clampInto(sel, viewer.naturalWidth, viewer.naturalHeight);
        const g = spec.geometries.box;
        if (sel.type === "box" && (sel.width! <= 0 || sel.height! <= 0 || sel.width! < (g?.min_width ?? 0) || sel.height! < (g?.min_height ?? 0))) {
          toolbar.status("Too small: the box keeps its size");
          restore(m.before); // a resize below the task's minimum is refused
          return;
        }
      }
      changed(m.before);
      return;
    }
    render(false);
  }

  function onWheel(e: WheelEvent): void {
    if (!loaded) return;
    e.preventDefault();
    const { screen } = toImage(e);
    zoomAt(Math.exp(-e.deltaY * 0.0015), screen.x, screen.y);
  }

  const onKeyUp = (e: KeyboardEvent): void => {
    if (e.code === "Space") spaceDown = false;
  };
  const onBlur = (): void => {
    spaceDown = false;
  };
  surface.addEventListener("pointerdown", onPointerDown);
  surface.addEventListener("pointermove", onPointerMove);
  surface.addEventListener("pointerup", onPointerUp);
  surface.addEventListener("pointercancel", onPointerUp);
  surface.addEventListener("wheel", onWheel, { passive: false });
  surface.addEventListener("auxclick", (e) => e.preventDefault());
  window.addEventListener("keyup", onKeyUp);
  window.addEventListener("blur", onBlur);

  // --- keys ----------------------------------------------------------------------------------
  function handleKey(e: KeyboardEvent): boolean {
    const target = e.target as HTMLElement | null;
    if (target && target.closest("input, textarea, select, [contenteditable='true']")) return false;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (mod && !e.altKey) {
      if (key === "z" || (key.length === 1 && !/[a-z]/.test(key) && e.code === "KeyZ")) return e.shiftKey ? doRedo() : doUndo();
      if (key === "y" || (key.length === 1 && !/[a-z]/.test(key) && e.code === "KeyY")) return doRedo();
      return false;
    }
    const digit = /^(Digit|Numpad)([1-9])$/.exec(e.code);
    if (digit && !e.altKey) return pickTool(Number(digit[2]) - 1);
    switch (e.code) {
      case "Space":
        spaceDown = true;
        return true;
      case "Escape":
        if (cancelDraft()) return true;
        if (selected) {
          selected = null;
          render();
          return true;
        }
        if (tool) {
          tool = null;
          toolbar.status("Select mode");
          render(false);
          return true;
        }
        return false;
      case "Enter":
      case "NumpadEnter":
        return finishPath();
      case "Delete":
      case "Backspace":
        if (mode.kind === "path") {
          mode.vertices.pop();
          if (!mode.vertices.length) mode = { kind: "idle" };
          render(false);
          return true;
        }
        return deleteSelection();
      case "ArrowLeft":
      case "ArrowRight":
      case "ArrowUp":
      case "ArrowDown": {
        const step = e.shiftKey ? 10 : 1;
        const [dx, dy] = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.code] as [number, number];
        return nudge(dx, dy);
      }
      case "Equal":
      case "NumpadAdd":
        zoomAt(1.25, surfaceW() / 2, surfaceH() / 2);
        return true;
      case "Minus":
      case "NumpadSubtract":
        zoomAt(0.8, surfaceW() / 2, surfaceH() / 2);
        return true;
      case "Digit0":
      case "Numpad0":
        resetView();
        return true;
      case "BracketRight":
      case "BracketLeft": {
        // Select the next / previous shape without the mouse (then arrows nudge, Delete deletes).
        if (!anns.length || mode.kind !== "idle") return false;
        const at = anns.findIndex((a) => a.uuid === selected);
        const step = e.code === "BracketRight" ? 1 : -1;
        const next = at < 0 ? (step > 0 ? 0 : anns.length - 1) : (at + step + anns.length) % anns.length;
        selected = anns[next].uuid;
        selectedVertex = null;
        render();
        return true;
      }
    }
    if (key === "+") {
      zoomAt(1.25, surfaceW() / 2, surfaceH() / 2);
      return true;
    }
    if (key === "-") {
      zoomAt(0.8, surfaceW() / 2, surfaceH() / 2);
      return true;
    }
    return false;
  }

  render();
  return {
    getResponse: () => response(),
    handleKey,
    focus: () => surface.focus({ preventScroll: true }),
    destroy: () => {
      destroyed = true;
      resizer.disconnect();
      window.removeEventListener("keyup", onKeyUp);
      window.removeEventListener("blur", onBlur);
      viewer.destroy();
      root.replaceChildren();
    },
    debug: {
      ready,
      view: () => ({ ...view, fit }),
      setView: (s, x, y) => setView(s, x, y),
      drawAt: (s, x, y) => {
        view = { scale: s, x, y };
        viewer.setView(s, x, y, false);
        viewer.drawNow();
      },
      tool: () => tool,
      selected: () => selected,
      select: (uuid) => {
        selected = find(uuid) ? uuid : null;
        selectedVertex = null;
        render();
      },
    },
  };
}
