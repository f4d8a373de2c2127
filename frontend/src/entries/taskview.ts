// /tasks/{id}: an overlay drawn on an image whose size the server did not know (an external
// URL) gets its viewBox in image pixels once the image has loaded, so shapes land in place.
function fit(svg: SVGSVGElement, img: HTMLImageElement): void {
  if (img.naturalWidth > 0) svg.setAttribute("viewBox", `0 0 ${img.naturalWidth} ${img.naturalHeight}`);
}

for (const svg of document.querySelectorAll<SVGSVGElement>("svg.overlay:not([viewBox])")) {
  const img = svg.parentElement?.querySelector<HTMLImageElement>("img.stage-image");
  if (!img) continue;
  if (img.complete) fit(svg, img);
  else img.addEventListener("load", () => fit(svg, img), { once: true });
}
