// Local persistence: the submission outbox in IndexedDB (survives reloads and crashes) and
// drafts in localStorage (synchronous, so a draft written on change is never half-saved).

const DB_NAME = "labelworks";
const OUTBOX = "outbox";

export interface Pending {
  assignment_id: number;
  body: Record<string, unknown>;
  queued_at: number;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(OUTBOX, { keyPath: "assignment_id" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(OUTBOX, mode);
    const req = run(t.objectStore(OUTBOX));
    t.oncomplete = () => {
      db.close();
      resolve(req.result);
    };
    t.onerror = () => reject(t.error);
  });
}

export const outbox = {
  put: (p: Pending) => tx("readwrite", (s) => s.put(p)),
  remove: (id: number) => tx("readwrite", (s) => s.delete(id)),
  all: () => tx<Pending[]>("readonly", (s) => s.getAll() as IDBRequest<Pending[]>),
};

const draftKey = (id: number) => `lw-draft-${id}`;

export const drafts = {
  get(id: number): unknown {
    const raw = localStorage.getItem(draftKey(id));
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      return undefined;
    }
  },
  set(id: number, value: unknown): void {
    localStorage.setItem(draftKey(id), JSON.stringify(value));
  },
  remove(id: number): void {
    localStorage.removeItem(draftKey(id));
  },
};
