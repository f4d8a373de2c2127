// Forms built from a task's `fields` (text, number, url, category; likert in comparison), with the
// same limits and required checks as the server, shared by the free-text types and comparison.
import { el, keyButton } from "../workspace/dom";

export interface Field {
  type: string;
  field_id: string;
  title: string;
  description?: string | null;
  required?: boolean;
  min_characters?: number | null;
  max_characters?: number | null;
  min?: number | null;
  max?: number | null;
  choices?: (string | { label: string; value: string })[];
  allow_multiple?: boolean;
  scale?: number;
  min_label?: string | null;
  max_label?: string | null;
}

export interface Form {
  node: HTMLElement;
  /** The answers, or null when a required answer is missing or a limit is broken. */
  values(): Record<string, unknown> | null;
  /** Whatever is filled in so far (for drafts). */
  partial(): Record<string, unknown>;
  /** Set a likert field (keyboard). */
  setLikert(index: number, value: number): boolean;
  first(): HTMLElement | null;
}

let uid = 0;

export function buildForm(fields: Field[], initial: Record<string, unknown>, onChange: () => void): Form {
  const node = el("div", { class: "form" });
  const getters: (() => [unknown, boolean])[] = [];
  const likerts: ((v: number) => void)[] = [];
  let first: HTMLElement | null = null;

  for (const f of fields) {
    const id = `f${++uid}`;
    const required = f.required !== false;
    const wrap = el("div", { class: "field" });
    const title = f.title + (required ? " *" : "");
    const describe = f.description ? el("p", { class: "hint", id: `${id}-d` }, f.description) : null;
    const start = initial[f.field_id];
    if (f.type === "text" || f.type === "number" || f.type === "url") {
      const input = f.type === "text"
        ? el("textarea", { id, rows: "4" })
        : f.type === "url"
          ? el("input", { id, type: "url", placeholder: "https://…" })
          : el("input", { id, type: "number", step: "any" });
      if (f.type === "text") {
        if (f.max_characters) input.setAttribute("maxlength", String(f.max_characters));
        if (f.min_characters) input.setAttribute("minlength", String(f.min_characters));
      } else if (f.type === "number") {
        if (f.min != null) input.setAttribute("min", String(f.min));
        if (f.max != null) input.setAttribute("max", String(f.max));
      }
      if (required) input.setAttribute("required", "");
      if (describe) input.setAttribute("aria-describedby", `${id}-d`);
      if (start !== undefined && start !== null) input.value = String(start);
      const counter = el("span", { class: "counter", "aria-live": "polite" });
      const update = () => {
        if (f.type === "text") {
          const n = [...input.value].length;
          const limits = [f.min_characters ? `min ${f.min_characters}` : "", f.max_characters ? `max ${f.max_characters}` : ""].filter(Boolean).join(", ");
          counter.textContent = `${n} characters${limits ? ` (${limits})` : ""}`;
        }
      };
      input.addEventListener("input", () => {
        update();
        onChange();
      });
      update();
      wrap.append(el("label", { for: id }, title), ...(describe ? [describe] : []), input, counter);
      first ??= input;
      getters.push(() => {
        const raw = input.value;
        if (raw === "") return [undefined, !required];
        if (f.type === "number") {
          const n = Number(raw);
          const ok = Number.isFinite(n) && (f.min == null || n >= f.min) && (f.max == null || n <= f.max);
          return [n, ok];
        }
        if (f.type === "url") return [raw, /^https?:\/\/\S+$/.test(raw)]; // as datacollection checks it
        const n = [...raw].length;
        const ok = (!f.min_characters || n >= f.min_characters) && (!f.max_characters || n <= f.max_characters);
        return [raw, ok];
      });
    } else if (f.type === "category") {
      const choices = (f.choices ?? []).map((c) => (typeof c === "string" ? { label: c, value: c } : c));
      const fs = el("fieldset", {}, el("legend", {}, title));
      const inputs = choices.map((c, i) => {
        const cid = `${id}-${i}`;
        const input = el("input", { type: f.allow_multiple ? "checkbox" : "radio", name: id, id: cid, value: c.value });
        const picked = Array.isArray(start) ? start.includes(c.value) : start === c.value;
        input.checked = picked;
        input.addEventListener("change", onChange);
        fs.append(el("span", { class: "opt" }, input, el("label", { for: cid }, c.label)));
        return input;
      });
      wrap.append(fs);
      first ??= inputs[0] ?? null;
      getters.push(() => {
        const vals = inputs.filter((i) => i.checked).map((i) => i.value);
        if (vals.length === 0) return [undefined, !required];
        return [f.allow_multiple ? vals : vals[0], true];
      });
    } else if (f.type === "likert") {
      const scale = f.scale ?? 7;
      let value: number | null = typeof start === "number" ? start : null;
      const n = likerts.length + 1;
      const group = el("div", { class: "likert", role: "radiogroup", "aria-label": f.title });
      const buttons: HTMLButtonElement[] = [];
      const set = (v: number) => {
        value = v;
        buttons.forEach((b, i) => b.setAttribute("aria-checked", String(i + 1 === v)));
        onChange();
      };
      for (let v = 1; v <= scale; v++) {
        const b = keyButton(String(v), null, () => set(v), "likert-option");
        b.setAttribute("role", "radio");
        b.setAttribute("aria-checked", String(v === value));
        b.setAttribute("aria-label", `${f.title}: ${v}`);
        buttons.push(b);
      }
      if (f.min_label) group.append(el("span", { class: "hint" }, f.min_label));
      group.append(...buttons);
      if (f.max_label) group.append(el("span", { class: "hint" }, f.max_label));
      const keyHint = n === 1 ? " (Shift+1…" + Math.min(scale, 9) + ")" : "";
      wrap.append(el("div", { class: "label" }, title + keyHint), group);
      likerts.push(set);
      getters.push(() => (value === null ? [undefined, !required] : [value, true]));
    }
    node.append(wrap);
  }

  return {
    node,
    values() {
      const out: Record<string, unknown> = {};
      let ok = true;
      fields.forEach((f, i) => {
        const [v, valid] = getters[i]();
        if (!valid) ok = false;
        if (v !== undefined) out[f.field_id] = v;
      });
      return ok ? out : null;
    },
    partial() {
      const out: Record<string, unknown> = {};
      fields.forEach((f, i) => {
        const [v] = getters[i]();
        if (v !== undefined) out[f.field_id] = v;
      });
      return out;
    },
    setLikert(index, value) {
      const set = likerts[index];
      if (!set) return false;
      set(value);
      return true;
    },
    first: () => first,
  };
}
