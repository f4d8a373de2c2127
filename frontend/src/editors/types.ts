// The contract between the workspace shell and each task type's editor.

/** A task as the worker API serves it (POST /work/next): `type`, `params`, `instruction`, ... */
export interface WorkTask {
  assignment_id: number;
  task_id: string;
  type: string;
  params: Record<string, unknown>;
  instruction?: string | null;
  [key: string]: unknown;
}

export interface EditorContext {
  task: WorkTask;
  /** A draft or pre-label to start from (same shape as the response). */
  initial?: unknown;
  /** Called after every change with the current (possibly incomplete) response. */
  onChange(response: unknown): void;
}

export interface Editor {
  /** The response to submit, or null while it is incomplete. */
  getResponse(): unknown | null;
  /** Handle a key the shell did not consume; return true when handled. */
  handleKey?(event: KeyboardEvent): boolean;
  focus?(): void;
  /** Extra rows for the `?` sheet: [what, key]. */
  help?: [string, string][];
  destroy(): void;
}

export type MountEditor = (root: HTMLElement, ctx: EditorContext) => Editor;
