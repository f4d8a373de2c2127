// Konva rendering. Three layers, none listening (hit tests are in geometry.ts): the image
// (drawn from a mipmap level near the displayed size, so a 4096 px image does not get
// resampled in full each frame), the static shapes, and the active layer holding the
// selected or in-progress shape with its handles: editing redraws only that last layer.
import Konva from "konva";
import type { Ann, Vertex } from "./params";
import { handlesOf } from "./geometry";

type Bounds = [number, number, number, number]; // x0, y0, x1, y1 in image pixels

function boundsOf(a: Ann): Bounds {
  if (a.type === "ellipse") {
    const r = Math.max(a.rx!, a.ry!);
    return [a.x! - r, a.y! - r, a.x! + r, a.y! + r];
  }
  const pts = handlesOf(a);
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of pts) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return [x0, y0, x1, y1];
}

const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4", "#469990"];
export const colorOf = (i: number): string => PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];

const HANDLE = 5; // handle half-size in screen pixels
const POINT = 5; // point radius in screen pixels

type Drawable = Konva.Shape;

function hexAlpha(color: string, alpha: number): string {
  const n = parseInt(color.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

const STATIC = { listening: false, perfectDrawEnabled: false, shadowForStrokeEnabled: false, strokeScaleEnabled: false };

function shapeNode(a: Ann, color: string, scale: number, width: number): Drawable {
  const common = { ...STATIC, stroke: color, strokeWidth: width, fill: hexAlpha(color, 0.12) };
  switch (a.type) {
    case "box":
      return new Konva.Rect({ ...common, x: a.left, y: a.top, width: a.width, height: a.height });
    case "polygon":
      return new Konva.Line({ ...common, points: a.vertices!.flatMap((v) => [v.x, v.y]), closed: true });
    case "line":
      return new Konva.Line({ ...common, fill: undefined, points: a.vertices!.flatMap((v) => [v.x, v.y]), lineCap: "round", lineJoin: "round" });
    case "point":
      return new Konva.Circle({ ...common, fill: color, stroke: "#ffffff", x: a.x, y: a.y, radius: POINT / scale });
    case "ellipse":
      return new Konva.Ellipse({ ...common, x: a.x, y: a.y, radiusX: a.rx!, radiusY: a.ry!, rotation: a.angle ?? 0 });
  }
}

export interface Draft {
  kind: "box" | "ellipse" | "path";
  color: string;
  closed?: boolean;
  points: Vertex[]; // box/ellipse: two corners; path: vertices then the cursor
}

export class View {
  readonly stage: Konva.Stage;
  private readonly imageLayer = new Konva.Layer({ listening: false });
  private readonly shapeLayer = new Konva.Layer({ listening: false });
  private readonly activeLayer = new Konva.Layer({ listening: false });
  private maskLayer: Konva.Layer | null = null; // segmentation: the label raster, unsmoothed
  private maskNode: Konva.Image | null = null;
  private readonly imageNode = new Konva.Image({ image: undefined, listening: false, perfectDrawEnabled: false });
  // The static shapes are drawn by ONE Konva shape: per frame, the ones in view, batched into
  // a path per colour and kind (a fill and a stroke per batch instead of per shape: with 500
  // polygons, Konva's per-node save/transform/restore was most of a frame).
  private statics: { a: Ann; color: string; key: string; bounds: Bounds }[] = [];
  private readonly staticShape = new Konva.Shape({ listening: false, perfectDrawEnabled: false, sceneFunc: (ctx) => this.drawStatics(ctx._context) });
  private levels: CanvasImageSource[] = [];
  private level = -1;
  naturalWidth = 0;
  naturalHeight = 0;
  scale = 1;

  constructor(container: HTMLDivElement) {
    this.stage = new Konva.Stage({ container, width: 1, height: 1, listening: false });
    this.imageLayer.add(this.imageNode);
    this.shapeLayer.add(this.staticShape);
    this.stage.add(this.imageLayer, this.shapeLayer, this.activeLayer);
  }

  setImage(img: HTMLImageElement): void {
    this.naturalWidth = img.naturalWidth;
    this.naturalHeight = img.naturalHeight;
    this.levels = [img];
    let [w, h, src] = [img.naturalWidth, img.naturalHeight, img as CanvasImageSource];
    while (w > 1024 || h > 1024) {
      [w, h] = [Math.max(1, Math.round(w / 2)), Math.max(1, Math.round(h / 2))];
      const c = document.createElement("canvas");
      c.width = w;
      c.height = h;
      const ctx = c.getContext("2d")!;
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(src, 0, 0, w, h);
      this.levels.push(c);
      src = c;
    }
    this.level = -1;
  }

  /** Show a raster the size of the image above it (segmentation's label colours), drawn
   * pixel-sharp at any zoom; call again after changing the canvas to redraw it. */
  setOverlay(canvas: HTMLCanvasElement, opacity: number): void {
    if (!this.maskLayer) {
      this.maskLayer = new Konva.Layer({ listening: false, imageSmoothingEnabled: false });
      this.maskNode = new Konva.Image({ image: canvas, x: 0, y: 0, listening: false, perfectDrawEnabled: false });
      this.maskLayer.add(this.maskNode);
      this.stage.add(this.maskLayer);
      this.maskLayer.zIndex(1); // above the image, below the shapes and the active layer
    }
    this.maskNode!.setAttrs({ image: canvas, width: this.naturalWidth, height: this.naturalHeight, opacity });
    this.maskLayer.batchDraw();
  }

  setFilter(brightness: number, contrast: number): void {
    // A CSS filter on the image layer's canvas: composited by the browser, no pixel loop.
    this.imageLayer.getNativeCanvasElement().style.filter = `brightness(${brightness}%) contrast(${contrast}%)`;
  }

  setSize(width: number, height: number): void {
    this.stage.size({ width, height });
  }

  /** Scale (screen px per image px) and the screen position of the image's origin. */
  setView(scale: number, x: number, y: number, draw = true): void {
    const rescaled = scale !== this.scale;
    this.scale = scale;
    this.stage.scale({ x: scale, y: scale });
    this.stage.position({ x, y });
    // The smallest mipmap level still at least as large as the displayed image.
    const shown = this.naturalWidth * scale * (window.devicePixelRatio || 1);
    let level = 0;
    for (let i = 1; i < this.levels.length; i++) if ((this.levels[i] as HTMLCanvasElement).width >= shown) level = i;
    if (level !== this.level && this.levels.length) {
      this.level = level;
      this.imageNode.image(this.levels[level]);
    }
    if (this.levels.length) this.cropImage(scale, x, y);
    void rescaled;
    if (draw) this.stage.batchDraw();
  }

  /** Draw only the part of the image in view (whole source pixels of the mipmap level), so
   * a zoomed-in frame does not resample the whole 4096 px image. */
  private cropImage(scale: number, x: number, y: number): void {
    const src = this.levels[this.level] as HTMLCanvasElement | HTMLImageElement;
    const lw = src instanceof HTMLImageElement ? src.naturalWidth : src.width;
    const lh = src instanceof HTMLImageElement ? src.naturalHeight : src.height;
    const [kx, ky] = [lw / this.naturalWidth, lh / this.naturalHeight];
    const x0 = Math.max(0, Math.floor((-x / scale) * kx) - 1);
    const y0 = Math.max(0, Math.floor((-y / scale) * ky) - 1);
    const x1 = Math.min(lw, Math.ceil(((this.stage.width() - x) / scale) * kx) + 1);
    const y1 = Math.min(lh, Math.ceil(((this.stage.height() - y) / scale) * ky) + 1);
    if (x1 <= x0 || y1 <= y0) {
      this.imageNode.visible(false);
      return;
    }
    const node = this.imageNode;
    node.visible(true);
    node.crop({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
    node.position({ x: x0 / kx, y: y0 / ky });
    node.size({ width: (x1 - x0) / kx, height: (y1 - y0) / ky });
  }

  /** Draw the static shapes in view, in annotation order within each colour and kind. */
  private drawStatics(c: CanvasRenderingContext2D): void {
    const s = this.scale;
    const pad = 8 / s; // strokes and point markers reach a little past the bounds
    const x0 = -this.stage.x() / s - pad;
    const y0 = -this.stage.y() / s - pad;
    const x1 = x0 + this.stage.width() / s + 2 * pad;
    const y1 = y0 + this.stage.height() / s + 2 * pad;
    const batches = new Map<string, Ann[]>();
    for (const e of this.statics) {
      const [bx0, by0, bx1, by1] = e.bounds;
      if (bx1 < x0 || bx0 > x1 || by1 < y0 || by0 > y1) continue;
      const kind = e.a.type === "line" ? "line" : e.a.type === "point" ? "point" : "area";
      const k = `${kind}|${e.color}`;
      const list = batches.get(k);
      if (list) list.push(e.a);
      else batches.set(k, [e.a]);
    }
    c.lineJoin = "round";
    c.lineCap = "round";
    for (const [k, anns] of batches) {
      const [kind, color] = k.split("|");
      c.beginPath();
      for (const a of anns) {
        if (a.type === "box") c.rect(a.left!, a.top!, a.width!, a.height!);
        else if (a.type === "ellipse") {
          c.moveTo(a.x! + a.rx! * Math.cos(((a.angle ?? 0) * Math.PI) / 180), a.y! + a.rx! * Math.sin(((a.angle ?? 0) * Math.PI) / 180));
          c.ellipse(a.x!, a.y!, a.rx!, a.ry!, ((a.angle ?? 0) * Math.PI) / 180, 0, 2 * Math.PI);
        } else if (a.type === "point") {
          c.moveTo(a.x! + POINT / s, a.y!);
          c.arc(a.x!, a.y!, POINT / s, 0, 2 * Math.PI);
        } else {
          const vs = a.vertices!;
          c.moveTo(vs[0].x, vs[0].y);
          for (let i = 1; i < vs.length; i++) c.lineTo(vs[i].x, vs[i].y);
          if (a.type === "polygon") c.closePath();
        }
      }
      if (kind !== "line") {
        c.fillStyle = kind === "point" ? color : hexAlpha(color, 0.12);
        c.fill();
      }
      c.strokeStyle = kind === "point" ? "#ffffff" : color;
      c.lineWidth = 2 / s; // a constant width on screen (the layer is scaled by s)
      c.stroke();
    }
  }

  /** Bring the static layer in line with `anns` (all but the selected one); redrawn only
   * when one of them changed. */
  renderStatic(anns: Ann[], selected: string | null, colors: (a: Ann) => string): void {
    const next: { a: Ann; color: string; key: string; bounds: Bounds }[] = [];
    let dirty = false;
    const before = new Map(this.statics.map((e) => [e.a.uuid, e]));
    for (const a of anns) {
      if (a.uuid === selected) continue;
      const color = colors(a);
      const key = color + JSON.stringify(a);
      const have = before.get(a.uuid);
      if (have && have.key === key) {
        if (this.statics[next.length] !== have) dirty = true; // order or membership changed
        next.push(have);
        continue;
      }
      dirty = true;
      next.push({ a: structuredClone(a), color, key, bounds: boundsOf(a) });
    }
    if (next.length !== this.statics.length) dirty = true;
    this.statics = next;
    if (dirty) this.shapeLayer.batchDraw(); // untouched when only the selected (active) shape changed
  }

  renderActive(selected: Ann | null, color: string, selectedVertex: number | null, draft: Draft | null): void {
    this.activeLayer.destroyChildren();
    const s = this.scale;
    if (selected) {
      this.activeLayer.add(shapeNode(selected, color, s, 3));
      handlesOf(selected).forEach((p, i) => {
        const size = (i === selectedVertex ? HANDLE + 2 : HANDLE) / s;
        this.activeLayer.add(
          new Konva.Rect({ ...STATIC, x: p.x - size, y: p.y - size, width: 2 * size, height: 2 * size, fill: i === selectedVertex ? color : "#ffffff", stroke: color, strokeWidth: 1.5 }),
        );
      });
    }
    if (draft) {
      const dash = [6 / s, 4 / s];
      const base = { ...STATIC, stroke: draft.color, strokeWidth: 2, dash, dashEnabled: true };
      const [a, b] = draft.points;
      if (draft.kind === "box" && b) {
        this.activeLayer.add(new Konva.Rect({ ...base, x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) }));
      } else if (draft.kind === "ellipse" && b) {
        this.activeLayer.add(new Konva.Ellipse({ ...base, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, radiusX: Math.abs(b.x - a.x) / 2, radiusY: Math.abs(b.y - a.y) / 2 }));
      } else if (draft.kind === "path") {
        this.activeLayer.add(new Konva.Line({ ...base, points: draft.points.flatMap((p) => [p.x, p.y]), closed: !!draft.closed }));
        for (const p of draft.points.slice(0, -1)) {
          const size = HANDLE / s;
          this.activeLayer.add(new Konva.Rect({ ...STATIC, x: p.x - size, y: p.y - size, width: 2 * size, height: 2 * size, fill: "#ffffff", stroke: draft.color, strokeWidth: 1.5 }));
        }
      }
    }
    this.activeLayer.batchDraw();
  }

  /** Draw everything now (benchmarks time this). */
  drawNow(): void {
    this.stage.draw();
  }

  destroy(): void {
    this.stage.destroy();
    this.statics = [];
  }
}
