// Shortcuts by KeyboardEvent.code (the physical key: the same place on AZERTY or QWERTY),
// remappable and switchable off, stored in localStorage.

export interface Action {
  id: string;
  label: string;
  code: string;
  ctrl?: boolean;
}

const MAP_KEY = "lw-keys";
const ON_KEY = "lw-keys-enabled";

export function enabled(): boolean {
  return localStorage.getItem(ON_KEY) !== "0";
}

export function setEnabled(on: boolean): void {
  localStorage.setItem(ON_KEY, on ? "1" : "0");
}

export function codeFor(action: Action): string {
  const saved = JSON.parse(localStorage.getItem(MAP_KEY) ?? "{}") as Record<string, string>;
  return saved[action.id] ?? action.code;
}

export function remap(actionId: string, code: string): void {
  const saved = JSON.parse(localStorage.getItem(MAP_KEY) ?? "{}") as Record<string, string>;
  saved[actionId] = code;
  localStorage.setItem(MAP_KEY, JSON.stringify(saved));
}

let layout: Map<string, string> | null = null;

/** Learn what each physical key prints on this keyboard, for the labels (where supported). */
export async function loadLayout(): Promise<void> {
  const kb = (navigator as unknown as { keyboard?: { getLayoutMap(): Promise<Map<string, string>> } }).keyboard;
  try {
    if (kb) layout = await kb.getLayoutMap();
  } catch {
    layout = null;
  }
}

/** How to show a key code on a button: "Enter", "S", "1"... */
export function keyName(code: string): string {
  const printed = layout?.get(code);
  if (printed) return printed.toUpperCase();
  if (code.startsWith("Key")) return code.slice(3);
  if (code.startsWith("Digit")) return code.slice(5);
  if (code.startsWith("Numpad")) return code.slice(6);
  return code;
}

/** 1..9 from the digit row or the numpad (by position: AZERTY's unshifted digits work too). */
export function digitOf(event: KeyboardEvent): number | null {
  const m = /^(?:Digit|Numpad)([0-9])$/.exec(event.code);
  return m ? Number(m[1]) : null;
}

export function isTyping(event: KeyboardEvent): boolean {
  const t = event.target as HTMLElement | null;
  if (!t) return false;
  if (t.isContentEditable) return true;
  if (t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return true;
  if (t instanceof HTMLInputElement) {
    return !["button", "checkbox", "radio", "submit", "range"].includes(t.type);
  }
  return false;
}

export function matches(event: KeyboardEvent, action: Action): boolean {
  const code = codeFor(action);
  if (action.ctrl && !(event.ctrlKey || event.metaKey)) return false;
  if (code === "Enter") return event.code === "Enter" || event.code === "NumpadEnter";
  return event.code === code;
}
