// Hit tests and shape edits in image pixels. Hit testing is ours rather than Konva's so that
// no layer needs a hit canvas (which Konva would redraw with every pan and zoom).
import type { Ann, Vertex } from "./params";

export function distToSegment(p: Vertex, a: Vertex, b: Vertex): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

function insidePolygon(p: Vertex, vs: Vertex[]): boolean {
  let inside = false;
  for (let i = 0, j = vs.length - 1; i < vs.length; j = i++) {
    const a = vs[i];
    const b = vs[j];
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** The points that the vertex handles of a shape stand on. */
export function handlesOf(a: Ann): Vertex[] {
  switch (a.type) {
    case "box": {
      const [l, t, r, b] = [a.left!, a.top!, a.left! + a.width!, a.top! + a.height!];
      return [
        { x: l, y: t },
        { x: r, y: t },
        { x: r, y: b },
        { x: l, y: b },
      ];
    }
    case "polygon":
    case "line":
      return a.vertices!;
    case "point":
      return [{ x: a.x!, y: a.y! }];
    case "ellipse": {
      const rad = ((a.angle ?? 0) * Math.PI) / 180;
      const [c, s] = [Math.cos(rad), Math.sin(rad)];
      return [
        { x: a.x! + a.rx! * c, y: a.y! + a.rx! * s },
        { x: a.x! - a.ry! * s, y: a.y! + a.ry! * c },
        { x: a.x! - a.rx! * c, y: a.y! - a.rx! * s },
        { x: a.x! + a.ry! * s, y: a.y! - a.ry! * c },
      ];
    }
  }
}

/** Segments of a shape's outline, as [from, to] vertex indexes (polygons and lines only). */
export function edgesOf(a: Ann): [number, number][] {
  if (a.type !== "polygon" && a.type !== "line") return [];
  const n = a.vertices!.length;
  const out: [number, number][] = [];
  for (let i = 0; i < n - 1; i++) out.push([i, i + 1]);
  if (a.type === "polygon") out.push([n - 1, 0]);
  return out;
}

/** Whether `p` hits the shape, `tol` image pixels of slack on outlines and points. */
export function hits(a: Ann, p: Vertex, tol: number): boolean {
  switch (a.type) {
    case "box":
      return p.x >= a.left! - tol && p.x <= a.left! + a.width! + tol && p.y >= a.top! - tol && p.y <= a.top! + a.height! + tol;
    case "polygon":
      return insidePolygon(p, a.vertices!) || edgesOf(a).some(([i, j]) => distToSegment(p, a.vertices![i], a.vertices![j]) <= tol);
    case "line":
      return edgesOf(a).some(([i, j]) => distToSegment(p, a.vertices![i], a.vertices![j]) <= tol);
    case "point":
      return Math.hypot(p.x - a.x!, p.y - a.y!) <= tol * 1.5;
    case "ellipse": {
      const rad = (-(a.angle ?? 0) * Math.PI) / 180;
      const dx = p.x - a.x!;
      const dy = p.y - a.y!;
      const u = dx * Math.cos(rad) - dy * Math.sin(rad);
      const v = dx * Math.sin(rad) + dy * Math.cos(rad);
      return (u / (a.rx! + tol)) ** 2 + (v / (a.ry! + tol)) ** 2 <= 1;
    }
  }
}

/** Move handle `i` of a shape to `p` (a box corner resizes, the opposite corner stays). */
export function moveHandle(a: Ann, i: number, p: Vertex): void {
  if (a.type === "box") {
    const h = handlesOf(a);
    const opposite = h[(i + 2) % 4];
    a.left = Math.min(opposite.x, p.x);
    a.top = Math.min(opposite.y, p.y);
    a.width = Math.abs(opposite.x - p.x);
    a.height = Math.abs(opposite.y - p.y);
  } else if (a.type === "polygon" || a.type === "line") {
    a.vertices![i] = { x: p.x, y: p.y };
  } else if (a.type === "point") {
    a.x = p.x;
    a.y = p.y;
  } else {
    const r = Math.hypot(p.x - a.x!, p.y - a.y!);
    if (i % 2 === 0) {
      a.rx = r;
      const sign = i === 0 ? 1 : -1;
      a.angle = (Math.atan2(sign * (p.y - a.y!), sign * (p.x - a.x!)) * 180) / Math.PI;
    } else a.ry = r;
  }
}

export function translate(a: Ann, dx: number, dy: number): void {
  if (a.type === "box") {
    a.left! += dx;
    a.top! += dy;
  } else if (a.type === "polygon" || a.type === "line") {
    a.vertices = a.vertices!.map((v) => ({ x: v.x + dx, y: v.y + dy }));
  } else {
    a.x! += dx;
    a.y! += dy;
  }
}

/** Keep a shape inside the image (responses have no negative coordinates). */
export function clampInto(a: Ann, w: number, h: number): void {
  const cx = (v: number) => Math.max(0, Math.min(w, v));
  const cy = (v: number) => Math.max(0, Math.min(h, v));
  if (a.type === "box") {
    const l = cx(a.left!);
    const t = cy(a.top!);
    a.width = cx(a.left! + a.width!) - l;
    a.height = cy(a.top! + a.height!) - t;
    a.left = l;
    a.top = t;
  } else if (a.type === "polygon" || a.type === "line") {
    a.vertices = a.vertices!.map((v) => ({ x: cx(v.x), y: cy(v.y) }));
  } else {
    a.x = cx(a.x!);
    a.y = cy(a.y!);
  }
}

/** Translation that keeps the whole shape inside the image when moved by (dx, dy). */
export function boundedShift(a: Ann, dx: number, dy: number, w: number, h: number): [number, number] {
  const pts = a.type === "ellipse" ? [{ x: a.x!, y: a.y! }] : handlesOf(a);
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const bx = Math.max(-Math.min(...xs), Math.min(w - Math.max(...xs), dx));
  const by = Math.max(-Math.min(...ys), Math.min(h - Math.max(...ys), dy));
  return [bx, by];
}
