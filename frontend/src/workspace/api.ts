// The worker API from the browser: cookie session, CSRF token from the page's <meta>.

export class HttpError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

function csrf(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

export async function post<T>(path: string, body: unknown, keepalive = false, method = "POST"): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    keepalive,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) {
    let message = `${res.status}`;
    try {
      message = (await res.json()).error ?? message;
    } catch {
      /* not JSON */
    }
    throw new HttpError(res.status, message);
  }
  return res.status === 204 ? (null as T) : ((await res.json()) as T);
}

/** Upload one file (multipart field `file`) with the session's CSRF token. */
export async function upload<T>(path: string, file: File): Promise<T> {
  const form = new FormData();
  form.append("file", file);
  const res = await fetch(path, { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf() }, body: form });
  if (!res.ok) {
    let message = `${res.status}`;
    try {
      message = (await res.json()).error ?? message;
    } catch {
      /* not JSON */
    }
    throw new HttpError(res.status, message);
  }
  return (await res.json()) as T;
}
