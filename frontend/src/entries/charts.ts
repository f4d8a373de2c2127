// The customer and operator pages' script: draws every [data-chart-src] chart on the page.
import { mountCharts } from "../charts/charts";

void mountCharts();
