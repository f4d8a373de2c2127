// Editors by task type. The shell mounts the one for the task's `type`.
import type { MountEditor } from "./types";
import { mountCategorization } from "./categorization";
import { mountComparison } from "./comparison";
import { mountNER } from "./ner";
import { mountTextForm } from "./textform";

export const EDITORS: Record<string, MountEditor | undefined> = {
  categorization: mountCategorization,
  textcollection: mountTextForm,
  transcription: mountTextForm,
  documenttranscription: mountTextForm,
  comparison: mountComparison,
  namedentityrecognition: mountNER,
  // LEAD, AT MERGE: the image editor is the webimage engineer's. Once
  // frontend/src/editors/image/index.ts is on main, add
  //   import { mountImageEditor } from "./image/index";
  // and set `imageannotation: mountImageEditor` here (then `npm run build`).
  imageannotation: undefined,
};
