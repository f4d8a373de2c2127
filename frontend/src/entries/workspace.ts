// /work and /review.
import { start } from "../workspace/shell";

const root = document.getElementById("workspace");
if (root) start(root);
