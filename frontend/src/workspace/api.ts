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
