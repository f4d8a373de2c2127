// Every page: the high-contrast toggle in the header. Without a saved choice the OS's
// prefers-contrast decides (app.css); a click saves "more" or "normal" in localStorage.
const KEY = "lw-contrast";
const root = document.documentElement;
const os = window.matchMedia("(prefers-contrast: more)");

function apply(): void {
  const saved = localStorage.getItem(KEY);
  if (saved === "more" || saved === "normal") root.dataset.contrast = saved;
  else delete root.dataset.contrast;
  const on = saved ? saved === "more" : os.matches;
  document.getElementById("contrast-toggle")?.setAttribute("aria-pressed", String(on));
}

apply();
os.addEventListener("change", apply);
document.getElementById("contrast-toggle")?.addEventListener("click", () => {
  const on = document.getElementById("contrast-toggle")?.getAttribute("aria-pressed") === "true";
  localStorage.setItem(KEY, on ? "normal" : "more");
  apply();
});
