// The workspace shell: a small queue of leased tasks (the next ones prefetched, their media
// decoded), optimistic submit through an IndexedDB outbox, drafts, heartbeats, the lease
// countdown, and keyboard actions. Editors plug in by task type (editors/registry.ts).
import type { Editor, WorkTask } from "../editors/types";
import { EDITORS } from "../editors/registry";
import { HttpError, post } from "./api";
import { el, keyButton } from "./dom";
import * as keys from "./keys";
import { drafts, outbox, type Pending } from "./store";

interface Lease {
  assignment_id: number;
  stage: string;
  lease_expires_at: string;
  draft?: unknown;
  task: WorkTask & {
    hypothesis?: unknown;
    labels?: { label_id: number; response: unknown }[];
    consensus?: unknown;
    html?: { instruction?: string };
  };
}

// The task on screen plus two prefetched. localStorage `lw.prefetch` = "off" holds one lease
// and fetches the next task only after the submission landed (benchmarks/workspace.py).
const PREFETCH = localStorage.getItem("lw.prefetch") !== "off";
const HOLD = PREFETCH ? 3 : 1;
const HEARTBEAT_MS = 60_000;
const DRAFT_DELAY_MS = 300; // a draft is written within 500 ms of a change
const RETRY_MS = 3_000;
const SERVER_DRAFT_MS = 30_000;

const TITLES: Record<string, string> = {
  categorization: "Categorize",
  textcollection: "Write",
  transcription: "Transcribe",
  documenttranscription: "Transcribe the document",
  comparison: "Compare the responses",
  namedentityrecognition: "Mark the entities",
  imageannotation: "Annotate the image",
  segmentannotation: "Segment the image",
  datacollection: "Collect the data",
};

export function start(root: HTMLElement): void {
  const stage = root.dataset.stage === "review" ? "review" : "label";
  const project = root.dataset.project || undefined; // /work?project=NAME: only that project
  const $ = (id: string) => document.getElementById(id) as HTMLElement;
  const title = $("task-title");
  const instruction = $("instruction");
  const editorRoot = $("editor");
  const reviewPanel = $("review-panel");
  const actionsBar = $("actions");
  const message = $("message");
  const leaseBox = $("lease");
  const syncBox = $("sync");
  const queueInfo = $("queue-info");
  const sheet = $("keys-sheet") as HTMLDialogElement;

  let queue: Lease[] = [];
  let current: Lease | null = null;
  let editor: Editor | null = null;
  let draftTimer: number | undefined;
  let latest: { id: number; response: unknown } | null = null; // not yet saved on the server
  let pollTimer: number | undefined;
  let flushing = false;
  let retryTimer: number | undefined;
  let rejecting = false;
  const gone = new Set<number>(); // submitted or skipped here: never shown again
  const decoded = new Map<number, HTMLImageElement[]>(); // keeps prefetched images alive

  const ACTIONS: (keys.Action & { run: () => void; stage?: string })[] = [
    { id: "submit", label: "Submit", code: "Enter", run: () => submitLabel(), stage: "label" },
    { id: "accept", label: "Accept", code: "KeyA", run: () => review("accept"), stage: "review" },
    { id: "fix", label: "Fix (submit my correction)", code: "KeyF", run: () => review("fix"), stage: "review" },
    { id: "reject", label: "Reject", code: "KeyR", run: () => startReject(), stage: "review" },
    { id: "skip", label: "Skip", code: "KeyS", run: () => skip() },
    { id: "help", label: "Keyboard shortcuts", code: "Slash", run: () => openSheet() },
  ];
  const actions = ACTIONS.filter((a) => !a.stage || a.stage === stage);

  function say(text: string): void {
    message.textContent = text;
  }

  // --- outbox ------------------------------------------------------------------------------
  async function pendingIds(): Promise<Set<number>> {
    try {
      return new Set((await outbox.all()).map((p) => p.assignment_id));
    } catch {
      return new Set();
    }
  }

  async function showSync(): Promise<void> {
    const n = (await pendingIds()).size;
    syncBox.textContent = n === 0 ? "All saved" : `${n} waiting to send`;
    syncBox.dataset.pending = String(n);
  }

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    let retry = false;
    try {
      const all: Pending[] = await outbox.all();
      for (const p of all) {
        try {
          await post(`/work/queue/${p.assignment_id}/submit`, p.body);
          await outbox.remove(p.assignment_id);
        } catch (err) {
          if (err instanceof HttpError && err.status >= 400 && err.status < 500 && ![401, 403, 408, 429].includes(err.status)) {
            await outbox.remove(p.assignment_id); // refused for good (e.g. the lease expired)
            say(`A submission was refused: ${err.message}`);
          } else {
            retry = true;
            if (err instanceof HttpError && err.status === 401) say("Your session ended: sign in again to send your work.");
          }
        }
      }
    } finally {
      flushing = false;
      await showSync();
    }
    if (retry) {
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(flush, RETRY_MS);
    }
  }
  window.addEventListener("online", () => void flush());

  // --- the queue ---------------------------------------------------------------------------
  async function topUp(): Promise<void> {
    let got: { leases: Lease[] };
    // Submissions still on their way hold their leases until they land: they must not count
    // against the prefetch, or the queue would run one task short after every submit.
    const sending = [...(await pendingIds())];
    try {
      got = await post<{ leases: Lease[] }>("/work/queue", { hold: HOLD, stage, project, exclude: sending });
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) window.location.href = "/";
      return;
    }
    const waiting = await pendingIds();
    for (const lease of got.leases) {
      const id = lease.assignment_id;
      if (gone.has(id) || waiting.has(id) || current?.assignment_id === id || queue.some((q) => q.assignment_id === id)) continue;
      queue.push(lease);
      prefetchMedia(lease);
    }
    queueInfo.textContent = `${queue.length} ready`;
    if (!current) showNext();
  }

  function prefetchMedia(lease: Lease): void {
    const urls: string[] = [];
    const p = lease.task.params as Record<string, unknown>;
    if (typeof p.attachment === "string" && (p.attachment_type ?? "image") === "image") urls.push(p.attachment);
    for (const a of (p.attachments as { type: string; content: string }[] | undefined) ?? []) {
      if (a.type === "image") urls.push(a.content);
    }
    const imgs = urls.map((u) => {
      const img = new Image();
      img.src = u;
      img.decode().catch(() => undefined);
      return img;
    });
    decoded.set(lease.assignment_id, imgs);
  }

  function showNext(): void {
    editor?.destroy();
    editor = null;
    rejecting = false;
    if (current) decoded.delete(current.assignment_id);
    current = queue.shift() ?? null;
    queueInfo.textContent = `${queue.length} ready`;
    reviewPanel.hidden = true;
    reviewPanel.replaceChildren();
    if (!current) {
      title.textContent = stage === "review" ? "Nothing to review right now" : "No work right now";
      instruction.replaceChildren();
      actionsBar.replaceChildren();
      window.clearTimeout(pollTimer);
      pollTimer = window.setTimeout(() => void topUp(), 10_000);
      return;
    }
    const lease = current;
    const task = lease.task;
    title.textContent = TITLES[task.type] ?? task.type;
    instruction.innerHTML = task.html?.instruction ?? ""; // sanitized by the server (nh3)
    const mount = EDITORS[task.type];
    if (!mount) {
      editorRoot.replaceChildren(el("p", { class: "error" }, `This workspace has no editor for ${task.type} tasks yet; skip it.`));
    } else {
      const draft = drafts.get(lease.assignment_id);
      const initial = draft ?? lease.draft ?? (stage === "review" ? task.consensus : task.hypothesis);
      editorRoot.replaceChildren();
      editor = mount(editorRoot, {
        task: { ...task, assignment_id: lease.assignment_id }, // the lease's (uploads name it)
        initial,
        onChange(response) {
          latest = { id: lease.assignment_id, response };
          window.clearTimeout(draftTimer);
          draftTimer = window.setTimeout(() => drafts.set(lease.assignment_id, response), DRAFT_DELAY_MS);
        },
      });
    }
    if (stage === "review") renderReview(lease);
    renderActions();
    say("");
    editor?.focus?.();
    tick();
  }

  function renderReview(lease: Lease): void {
    const labels = lease.task.labels ?? [];
    const consensus = JSON.stringify(lease.task.consensus ?? null);
    reviewPanel.hidden = false;
    reviewPanel.append(
      el("h2", {}, "Labels"),
      el("ul", { class: "labels" },
        ...labels.map((l, i) => {
          const agrees = JSON.stringify(l.response) === consensus;
          return el("li", { class: `annotator-${i % 8}${agrees ? "" : " disagree"}` },
            el("strong", {}, `Annotator ${i + 1}${agrees ? "" : " (disagrees)"}: `),
            el("code", {}, JSON.stringify(l.response)));
        }),
        el("li", { class: "consensus" }, el("strong", {}, "Consensus: "), el("code", {}, consensus)),
      ),
      el("p", { class: "hint" }, "The editor starts from the consensus: change it and press Fix to submit your correction."),
    );
  }

  function renderActions(): void {
    actionsBar.replaceChildren(
      ...actions.map((a) => keyButton(a.label, keys.enabled() ? keys.keyName(keys.codeFor(a)) : null, a.run, a.id === "submit" || a.id === "accept" ? "primary" : "")),
    );
  }

  // --- actions -----------------------------------------------------------------------------
  async function send(body: Record<string, unknown>): Promise<void> {
    if (!current) return;
    const id = current.assignment_id;
    gone.add(id);
    latest = null;
    syncBox.textContent = "Sending…";
    window.clearTimeout(draftTimer);
    await outbox.put({ assignment_id: id, body, queued_at: Date.now() });
    drafts.remove(id);
    showNext(); // optimistic: the next task at once, the submission goes in the background
    void showSync();
    if (PREFETCH) {
      void flush();
      void topUp();
    } else {
      await flush(); // holding one lease: it must be given back before the next is asked for
      await topUp();
    }
  }

  function submitLabel(): void {
    if (!current || !editor) return;
    const response = editor.getResponse();
    if (response === null) {
      say("The answer is incomplete: fill in what is required first.");
      return;
    }
    void send({ response });
  }

  function review(decision: "accept" | "fix"): void {
    if (!current) return;
    if (decision === "accept") return void send({ decision });
    const response = editor?.getResponse() ?? null;
    if (response === null) return say("The correction is incomplete.");
    void send({ decision, response });
  }

  function startReject(): void {
    if (!current || rejecting) return;
    rejecting = true;
    const id = "reject-reason";
    const area = el("textarea", { id, rows: "3", required: "" });
    const confirm = keyButton("Confirm reject", "Ctrl+Enter", () => {
      const reason = area.value.trim();
      if (!reason) return say("A reason is required to reject.");
      void send({ decision: "reject", reason });
    }, "danger");
    area.addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && (e.code === "Enter" || e.code === "NumpadEnter")) {
        e.preventDefault();
        e.stopPropagation();
        confirm.click();
      }
    });
    reviewPanel.append(el("div", { class: "reject" }, el("label", { for: id }, "Reason for rejecting"), area, confirm));
    area.focus();
  }

  function skip(): void {
    if (!current) return;
    const id = current.assignment_id;
    gone.add(id);
    drafts.remove(id);
    showNext();
    post(`/work/assignments/${id}/skip`, {}).catch(() => undefined);
    void topUp();
  }

  // --- leases ------------------------------------------------------------------------------
  function tick(): void {
    if (!current) {
      leaseBox.textContent = "";
      return;
    }
    const left = Math.max(0, Math.round((Date.parse(current.lease_expires_at) - Date.now()) / 1000));
    leaseBox.textContent = `Lease ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    leaseBox.classList.toggle("warn", left < 60);
  }
  window.setInterval(tick, 1000);

  async function heartbeat(): Promise<void> {
    for (const lease of [current, ...queue]) {
      if (!lease) continue;
      try {
        const r = await post<{ lease_expires_at: string }>(`/work/assignments/${lease.assignment_id}/heartbeat`, {});
        lease.lease_expires_at = r.lease_expires_at;
      } catch (err) {
        if (err instanceof HttpError && err.status === 409) {
          if (lease === current) say("This task's lease has ended; your answer can no longer be submitted.");
          else queue = queue.filter((q) => q !== lease);
        }
      }
    }
  }
  window.setInterval(() => void heartbeat(), HEARTBEAT_MS);

  // Server drafts: the latest answer in progress every 30 s (a crash or another browser loses
  // at most that much; localStorage has it within 300 ms on this one).
  async function saveServerDraft(): Promise<void> {
    const pending = latest;
    if (!pending || pending.id !== current?.assignment_id) return;
    try {
      await post(`/work/queue/${pending.id}/draft`, { response: pending.response }, false, "PUT");
      if (latest === pending) latest = null;
    } catch {
      /* kept for the next round */
    }
  }
  window.setInterval(() => void saveServerDraft(), SERVER_DRAFT_MS);

  // Leaving the workspace (a link elsewhere, signing out): give back the prefetched leases; the
  // task on screen keeps its lease and draft. A reload keeps them all (the queue returns them).
  const release = () => {
    const ids = queue.map((q) => q.assignment_id);
    queue = [];
    if (ids.length) post("/work/queue/release", { assignment_ids: ids }, true).catch(() => undefined);
  };
  for (const link of document.querySelectorAll<HTMLAnchorElement>("header a")) {
    link.addEventListener("click", release);
  }
  document.querySelector("form.signout")?.addEventListener("submit", release);

  // --- keyboard ----------------------------------------------------------------------------
  document.addEventListener("keydown", (e) => {
    if (sheet.open || e.defaultPrevented) return;
    if (!keys.enabled()) return;
    if (keys.isTyping(e)) {
      // Suspended while typing, except Ctrl+Enter (submit from a text field).
      if ((e.ctrlKey || e.metaKey) && (e.code === "Enter" || e.code === "NumpadEnter") && stage === "label") {
        e.preventDefault();
        submitLabel();
      }
      return;
    }
    if (e.key === "?" && !e.ctrlKey && !e.altKey) {
      e.preventDefault();
      return openSheet();
    }
    for (const a of actions) {
      if (!e.ctrlKey && !e.altKey && !e.metaKey && keys.matches(e, a)) {
        e.preventDefault();
        return a.run();
      }
    }
    if (editor?.handleKey?.(e)) e.preventDefault();
  });

  function openSheet(): void {
    const body = sheet.querySelector("tbody") as HTMLElement;
    const rows = actions.map((a) => {
      const cell = el("button", { type: "button", class: "remap" });
      // The accessible name carries the visible text (WCAG 2.5.3, axe label-content-name-mismatch).
      const show = (text: string) => {
        cell.textContent = text;
        cell.setAttribute("aria-label", `Change the key for ${a.label}, now ${text}`);
      };
      show(keys.keyName(keys.codeFor(a)));
      cell.addEventListener("click", () => {
        show("press a key…");
        const grab = (ev: KeyboardEvent) => {
          ev.preventDefault();
          ev.stopPropagation();
          keys.remap(a.id, ev.code);
          show(keys.keyName(ev.code));
          renderActions();
        };
        window.addEventListener("keydown", grab, { once: true, capture: true });
      });
      return el("tr", {}, el("td", {}, a.label), el("td", {}, cell));
    });
    const extra = [
      ["Choose a category / label / response", "1–9 (digit row or numpad)"],
      ["Submit from a text field", "Ctrl+Enter"],
      ["NER: move / extend the selection", "← → / Shift+← →"],
      ["Comparison: first Likert field", "Shift+1–9"],
      ...(editor?.help ?? []),
    ].map(([a, k]) => el("tr", {}, el("td", {}, a), el("td", {}, k)));
    body.replaceChildren(...rows, ...extra);
    const toggle = document.getElementById("keys-enabled") as HTMLInputElement;
    toggle.checked = keys.enabled();
    toggle.onchange = () => {
      keys.setEnabled(toggle.checked);
      renderActions();
    };
    sheet.showModal();
  }
  (document.getElementById("keys-close") as HTMLElement).addEventListener("click", () => sheet.close());

  void keys.loadLayout().then(renderActions);
  void (async () => {
    await flush();
    await topUp();
  })();
}
