// The exports page (/org/exports): each running job's row polls its JSON every second and
// moves its <progress>; when the file is ready the download link appears.

interface Job {
  status: "running" | "done" | "failed";
  done: number;
  total: number;
  error: string | null;
  download: string | null;
}

function show(row: HTMLElement, job: Job): void {
  const bar = row.querySelector("progress");
  const status = row.querySelector(".job-status");
  const link = row.querySelector<HTMLAnchorElement>(".job-download");
  if (bar) {
    bar.max = job.total || 1;
    bar.value = job.total ? job.done : job.status === "done" ? 1 : 0;
  }
  if (status) {
    const why = job.error ? `: ${job.error}` : "";
    status.textContent = `${job.status}${why} (${job.done} of ${job.total} tasks)`;
  }
  if (link && job.download) {
    link.href = job.download;
    link.hidden = false;
  }
  row.dataset.status = job.status;
}

async function poll(row: HTMLElement): Promise<void> {
  const src = row.dataset.exportJob;
  if (!src) return;
  try {
    const answer = await fetch(src, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      redirect: "manual", // signed out: the sign-in redirect ends the polling
    });
    if (answer.ok) {
      const job = (await answer.json()) as Job;
      show(row, job);
      if (job.status !== "running") return;
    } else if (answer.status < 500) {
      return; // gone, or signed out (an opaque redirect, status 0): stop asking
    }
  } catch {
    // offline for a moment: try again
  }
  window.setTimeout(() => void poll(row), 1000);
}

for (const row of document.querySelectorAll<HTMLElement>("[data-export-job]")) {
  if (row.dataset.status === "running") window.setTimeout(() => void poll(row), 1000);
}
