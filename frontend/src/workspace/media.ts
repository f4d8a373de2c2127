// Playback keys for a task's audio or video attachment: play/pause, ±5 s, speed. Shown on
// buttons and in the `?` sheet; suspended while typing, where Ctrl+Space plays/pauses.
import { el, keyButton } from "./dom";

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];

export interface MediaKeys {
  element: HTMLElement;
  handleKey(e: KeyboardEvent): boolean;
  help: [string, string][];
}

/** Controls for the first audio/video element under `scope`, or null when there is none.
 * `keysRoot` gets the Ctrl+Space listener (it holds the text fields). */
export function mediaKeys(scope: HTMLElement, keysRoot: HTMLElement): MediaKeys | null {
  const media = scope.querySelector<HTMLMediaElement>("audio, video");
  if (!media) return null;
  const speed = el("output", { class: "media-speed" }, "1×");
  const toggle = (): void => {
    if (media.paused) void media.play().catch(() => undefined);
    else media.pause();
  };
  const seek = (by: number): void => {
    const end = Number.isFinite(media.duration) ? media.duration : Infinity;
    media.currentTime = Math.max(0, Math.min(end, media.currentTime + by));
  };
  const rate = (step: number): void => {
    const at = SPEEDS.findIndex((s) => s >= media.playbackRate - 1e-6);
    const next = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (at < 0 ? SPEEDS.length - 1 : at) + step))];
    media.playbackRate = next;
    speed.textContent = `${next}×`;
  };
  const bar = el("div", { class: "media-keys", role: "group", "aria-label": "Playback" },
    keyButton("Play / pause", "K", toggle),
    keyButton("Back 5 s", "J", () => seek(-5)),
    keyButton("Forward 5 s", "L", () => seek(5)),
    keyButton("Slower", ",", () => rate(-1)),
    keyButton("Faster", ".", () => rate(1)),
    speed,
  );
  keysRoot.addEventListener("keydown", (e) => {
    if (e.ctrlKey && e.code === "Space") {
      e.preventDefault();
      e.stopPropagation();
      toggle();
    }
  });
  return {
    element: bar,
    handleKey(e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return false;
      switch (e.code) {
        case "KeyK":
          toggle();
          return true;
        case "KeyJ":
          seek(-5);
          return true;
        case "KeyL":
          seek(5);
          return true;
        case "Comma":
          rate(-1);
          return true;
        case "Period":
          rate(1);
          return true;
      }
      return false;
    },
    help: [
      ["Media: play / pause (Ctrl+Space while typing)", "K"],
      ["Media: back / forward 5 s", "J / L"],
      ["Media: slower / faster", ", / ."],
    ],
  };
}
