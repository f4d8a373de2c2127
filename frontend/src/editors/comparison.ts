// comparison: the prompt, the responses side by side (server-sanitized markdown, synced
// scroll), keys 1..n for the better response (n+1 for a tie), Shift+digit for the first Likert
// field, optional ranking, then the other fields.
import type { MountEditor } from "./types";
import { attachment, el, keyButton } from "../workspace/dom";
import { digitOf } from "../workspace/keys";
import { buildForm, type Field } from "./form";

interface Html {
  prompt?: string;
  responses?: Record<string, string>;
}

export const mountComparison: MountEditor = (root, ctx) => {
  const p = ctx.task.params as {
    prompt: string;
    attachments?: { type: string; content: string }[];
    responses: { id: string; content: string; model?: string | null }[];
    fields?: Field[];
    allow_tie?: boolean;
    ranking?: boolean;
  };
  const html = ((ctx.task as unknown as { html?: Html }).html ?? {}) as Html;
  const init = (ctx.initial ?? {}) as { chosen?: string; ranking?: string[]; fields?: Record<string, unknown> };
  let chosen: string | null = init.chosen ?? null;
  let ranking: string[] = init.ranking ?? p.responses.map((r) => r.id);

  const prompt = el("div", { class: "prompt md" });
  if (html.prompt !== undefined) prompt.innerHTML = html.prompt; // sanitized by the server (nh3)
  else prompt.textContent = p.prompt;

  const cols = el("div", { class: "side-by-side" });
  const panes: HTMLElement[] = [];
  p.responses.forEach((r, i) => {
    const body = el("div", { class: "response-body md", tabindex: "0" });
    const safe = html.responses?.[r.id];
    if (safe !== undefined) body.innerHTML = safe; // sanitized by the server (nh3)
    else body.textContent = r.content;
    panes.push(body);
    cols.append(el("section", { class: "response", "aria-label": `Response ${i + 1}` }, el("h2", {}, `Response ${i + 1}`), body));
  });
  let syncing = false;
  for (const pane of panes) {
    pane.addEventListener("scroll", () => {
      if (syncing) return;
      syncing = true;
      const ratio = pane.scrollTop / Math.max(1, pane.scrollHeight - pane.clientHeight);
      for (const other of panes) if (other !== pane) other.scrollTop = ratio * (other.scrollHeight - other.clientHeight);
      requestAnimationFrame(() => (syncing = false));
    });
  }

  const options = p.responses.map((r, i) => ({ id: r.id, label: `Response ${i + 1} is better` }));
  if (p.allow_tie) options.push({ id: "tie", label: "Tie" });
  const choiceButtons = options.map((o, i) => {
    const b = keyButton(o.label, i < 9 ? String(i + 1) : null, () => choose(o.id), "choice");
    b.setAttribute("aria-pressed", "false");
    return b;
  });
  const choiceGroup = el("div", { class: "choices", role: "group", "aria-label": "Which response is better?" }, ...choiceButtons);

  const rankList = el("ol", { class: "ranking", "aria-label": "Ranking, best first" });
  const renderRanking = () => {
    rankList.replaceChildren(
      ...ranking.map((id, i) => {
        const n = p.responses.findIndex((r) => r.id === id) + 1;
        const up = keyButton("Move up", null, () => {
          if (i === 0) return;
          [ranking[i - 1], ranking[i]] = [ranking[i], ranking[i - 1]];
          renderRanking();
          ctx.onChange(partial());
        }, "small");
        up.disabled = i === 0;
        return el("li", {}, `Response ${n} `, up);
      }),
    );
  };

  const form = buildForm(p.fields ?? [], init.fields ?? {}, () => ctx.onChange(partial()));
  root.append(
    el("div", { class: "attachments" }, ...(p.attachments ?? []).map((a) => attachment(a.type, a.content))),
    prompt,
    cols,
    choiceGroup,
  );
  if (p.ranking) {
    renderRanking();
    root.append(el("h2", {}, "Ranking"), rankList);
  }
  root.append(form.node);

  function render(): void {
    options.forEach((o, i) => choiceButtons[i].setAttribute("aria-pressed", String(o.id === chosen)));
  }
  function choose(id: string): void {
    chosen = id;
    if (p.ranking && id !== "tie") {
      ranking = [id, ...ranking.filter((r) => r !== id)]; // a ranking starts with the chosen one
      renderRanking();
    }
    render();
    ctx.onChange(partial());
  }
  function partial(): unknown {
    return { chosen: chosen ?? undefined, ranking: p.ranking ? ranking : undefined, fields: form.partial() };
  }
  function response(): unknown | null {
    const fields = form.values();
    if (chosen === null || fields === null) return null;
    const out: Record<string, unknown> = { chosen, fields };
    if (p.ranking) out.ranking = ranking;
    return out;
  }
  render();
  return {
    getResponse: response,
    handleKey(event) {
      const d = digitOf(event);
      if (d === null || event.ctrlKey || event.altKey) return false;
      if (event.shiftKey) return form.setLikert(0, d);
      if (d < 1 || d > options.length) return false;
      choose(options[d - 1].id);
      return true;
    },
    focus: () => choiceButtons[0]?.focus(),
    destroy: () => root.replaceChildren(),
  };
};
