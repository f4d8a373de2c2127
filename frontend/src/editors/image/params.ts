// Task params and responses of every image type, reduced to one shape the editor works on.
// `imageannotation` names its geometries; Scale's older single-geometry types (`annotation` for
// boxes, `polygonannotation`, `lineannotation`, `pointannotation`) put `objects_to_annotate`
// and the size options at the top level and answer without a `type` on each annotation.

export type Kind = "box" | "polygon" | "line" | "point" | "ellipse";
export const KINDS: Kind[] = ["box", "polygon", "line", "point", "ellipse"];

export interface Vertex {
  x: number;
  y: number;
}

/** One annotation as `imageannotation` stores it (image pixels). */
export interface Ann {
  type: Kind;
  uuid: string;
  label: string;
  attributes: Record<string, unknown>;
  left?: number;
  top?: number;
  width?: number;
  height?: number;
  vertices?: Vertex[];
  x?: number;
  y?: number;
  rx?: number;
  ry?: number;
  angle?: number;
}

export interface GeometryOptions {
  labels: string[];
  min_width?: number;
  min_height?: number;
  min_vertices?: number;
  max_vertices?: number;
}

export interface AttributeSpec {
  type: "category" | "text" | "number";
  description?: string;
  choices?: string[];
  min?: number;
  max?: number;
  labels?: string[]; // the labels it applies to (conditions.label_condition), all when absent
}

/** What a label key picks: the label and the geometry it is drawn with. */
export interface Tool {
  kind: Kind;
  label: string;
}

export interface Spec {
  attachment: string;
  geometries: Partial<Record<Kind, GeometryOptions>>;
  tools: Tool[];
  attributes: Record<string, AttributeSpec>;
  hypothesis: Ann[];
  /** The geometry of a single-geometry (Scale legacy) type; null for imageannotation. */
  legacy: Kind | null;
}

const LEGACY: Record<string, Kind> = {
  annotation: "box",
  polygonannotation: "polygon",
  lineannotation: "line",
  pointannotation: "point",
};

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === "number" && isFinite(v) ? v : undefined);

/** Labels from `objects_to_annotate`: strings, or Scale's `{choice, subchoices}` objects
 * (whose subchoices are the labels actually drawn). */
function labelsOf(objects: unknown): string[] {
  const out: string[] = [];
  for (const o of Array.isArray(objects) ? objects : []) {
    if (typeof o === "string") out.push(o);
    else if (isObj(o)) {
      const subs = Array.isArray(o.subchoices) ? labelsOf(o.subchoices) : [];
      if (subs.length) out.push(...subs);
      else if (typeof o.choice === "string") out.push(o.choice);
    }
  }
  return [...new Set(out)];
}

function geometryOf(g: Json): GeometryOptions {
  return {
    labels: labelsOf(g.objects_to_annotate),
    min_width: num(g.min_width),
    min_height: num(g.min_height),
    min_vertices: num(g.min_vertices),
    max_vertices: num(g.max_vertices),
  };
}

function attributesOf(raw: unknown): Record<string, AttributeSpec> {
  const out: Record<string, AttributeSpec> = {};
  if (!isObj(raw)) return out;
  for (const [name, a] of Object.entries(raw)) {
    if (!isObj(a)) continue;
    const type = a.type === "text" || a.type === "number" ? a.type : "category";
    const cond = isObj(a.conditions) && isObj(a.conditions.label_condition) ? a.conditions.label_condition.label : undefined;
    out[name] = {
      type,
      description: typeof a.description === "string" ? a.description : undefined,
      choices: Array.isArray(a.choices) ? a.choices.filter((c): c is string => typeof c === "string") : undefined,
      min: num(a.min),
      max: num(a.max),
      labels: typeof cond === "string" ? [cond] : Array.isArray(cond) ? (cond as string[]) : undefined,
    };
  }
  return out;
}

export function specOf(taskType: string, params: Json): Spec {
  const legacy = LEGACY[taskType] ?? null;
  const geometries: Partial<Record<Kind, GeometryOptions>> = {};
  if (legacy) geometries[legacy] = geometryOf(params);
  else if (isObj(params.geometries)) {
    for (const kind of KINDS) {
      const g = params.geometries[kind];
      if (isObj(g)) geometries[kind] = geometryOf(g);
    }
  }
  const tools: Tool[] = [];
  for (const kind of KINDS) for (const label of geometries[kind]?.labels ?? []) tools.push({ kind, label });
  const spec: Spec = {
    attachment: typeof params.attachment === "string" ? params.attachment : "",
    geometries,
    tools,
    attributes: attributesOf(params.annotation_attributes),
    hypothesis: [],
    legacy,
  };
  spec.hypothesis = annotationsFrom(spec, isObj(params.hypothesis) ? params.hypothesis : undefined);
  return spec;
}

let counter = 0;
export function newUuid(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  counter += 1;
  return `${Date.now().toString(16)}-${counter}-${Math.random().toString(16).slice(2, 10)}`;
}

function vertices(v: unknown): Vertex[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Vertex[] = [];
  for (const p of v) {
    const x = isObj(p) ? num(p.x) : undefined;
    const y = isObj(p) ? num(p.y) : undefined;
    if (x === undefined || y === undefined) return undefined;
    out.push({ x, y });
  }
  return out;
}

/** Annotations of a response-shaped value (`initial`, a previous task's response, the
 * hypothesis) that fit this task: unknown geometries and labels are dropped, uuids made unique. */
export function annotationsFrom(spec: Spec, response: unknown): Ann[] {
  const list = isObj(response) && Array.isArray(response.annotations) ? response.annotations : [];
  const seen = new Set<string>();
  const out: Ann[] = [];
  for (const raw of list) {
    if (!isObj(raw)) continue;
    const kind = (typeof raw.type === "string" ? raw.type : spec.legacy) as Kind | null;
    const g = kind ? spec.geometries[kind] : undefined;
    const label = typeof raw.label === "string" ? raw.label : "";
    if (!kind || !g || !g.labels.includes(label)) continue;
    let uuid = typeof raw.uuid === "string" && raw.uuid.trim() ? raw.uuid : newUuid();
    if (seen.has(uuid)) uuid = newUuid();
    seen.add(uuid);
    const a: Ann = { type: kind, uuid, label, attributes: isObj(raw.attributes) ? { ...raw.attributes } : {} };
    if (kind === "box") {
      const [l, t, w, h] = [num(raw.left), num(raw.top), num(raw.width), num(raw.height)];
      if (l === undefined || t === undefined || !w || !h) continue;
      Object.assign(a, { left: l, top: t, width: w, height: h });
    } else if (kind === "polygon" || kind === "line") {
      const vs = vertices(raw.vertices);
      if (!vs || vs.length < (kind === "polygon" ? 3 : 2)) continue;
      a.vertices = vs;
    } else if (kind === "point") {
      const [x, y] = [num(raw.x), num(raw.y)];
      if (x === undefined || y === undefined) continue;
      Object.assign(a, { x, y });
    } else {
      const [x, y, rx, ry] = [num(raw.x), num(raw.y), num(raw.rx), num(raw.ry)];
      if (x === undefined || y === undefined || !rx || !ry) continue;
      Object.assign(a, { x, y, rx, ry, angle: num(raw.angle) ?? 0 });
    }
    out.push(a);
  }
  return out;
}

const round = (v: number): number => Math.round(v * 100) / 100;

/** The response this task type's `validate_response` accepts, in image pixels. */
export function responseOf(spec: Spec, anns: Ann[], globalAttributes: Record<string, unknown>): Record<string, unknown> {
  const annotations = anns.map((a) => {
    const out: Record<string, unknown> = spec.legacy ? {} : { type: a.type };
    out.uuid = a.uuid;
    out.label = a.label;
    if (a.type === "box") Object.assign(out, { left: round(a.left!), top: round(a.top!), width: round(a.width!), height: round(a.height!) });
    else if (a.type === "polygon" || a.type === "line") out.vertices = a.vertices!.map((v) => ({ x: round(v.x), y: round(v.y) }));
    else if (a.type === "point") Object.assign(out, { x: round(a.x!), y: round(a.y!) });
    else Object.assign(out, { x: round(a.x!), y: round(a.y!), rx: round(a.rx!), ry: round(a.ry!), angle: round(a.angle ?? 0) });
    if (!spec.legacy || Object.keys(a.attributes).length) out.attributes = { ...a.attributes };
    return out;
  });
  return spec.legacy ? { annotations } : { annotations, global_attributes: { ...globalAttributes } };
}
