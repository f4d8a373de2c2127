// Test and benchmark page script: mounts the image editor on a task given by the page
// (`window.__mount(task, initial?)`, or `?task=<url of a task JSON>`), keeps every onChange
// value in `window.__changes` and exposes the editor as `window.__editor`.
import { copyFromPrevious, mount, type ImageEditor } from "../editors/image/index";
import type { WorkTask } from "../editors/types";

declare global {
  interface Window {
    __editor?: ImageEditor;
    __changes: unknown[];
    __mount(task: WorkTask, initial?: unknown): Promise<void>;
    __copyFromPrevious: typeof copyFromPrevious;
  }
}

window.__changes = [];
window.__copyFromPrevious = copyFromPrevious;
window.__mount = async (task, initial) => {
  window.__editor?.destroy();
  window.__changes = [];
  const root = document.getElementById("editor-root")!;
  const editor = mount(root, { task, initial, onChange: (r) => window.__changes.push(r) });
  window.__editor = editor;
  await editor.debug.ready;
};

document.addEventListener("keydown", (e) => {
  if (window.__editor?.handleKey?.(e)) e.preventDefault();
});

const url = new URLSearchParams(location.search).get("task");
if (url) {
  fetch(url)
    .then((r) => r.json())
    .then((task: WorkTask) => window.__mount(task));
}
