// Editors by task type. The shell mounts the one for the task's `type`.
import type { MountEditor } from "./types";
import { mountCategorization } from "./categorization";
import { mountComparison } from "./comparison";
import { mountNER } from "./ner";
import { mountImageEditor } from "./image/index";
import { mountTextForm } from "./textform";
import { mountSegmentEditor } from "./segment/index";
import { mountDocument } from "./document";
import { mountDataCollection } from "./datacollection";

export const EDITORS: Record<string, MountEditor | undefined> = {
  categorization: mountCategorization,
  textcollection: mountTextForm,
  transcription: mountTextForm,
  documenttranscription: mountDocument,
  datacollection: mountDataCollection,
  comparison: mountComparison,
  namedentityrecognition: mountNER,
  imageannotation: mountImageEditor,
  annotation: mountImageEditor,
  polygonannotation: mountImageEditor,
  lineannotation: mountImageEditor,
  pointannotation: mountImageEditor,
  segmentannotation: mountSegmentEditor,
};
