/** The table twin every chart has: the same numbers as rows, for screen readers and CSV. */
export interface ChartTable {
  caption: string;
  columns: string[];
  rows: (string | number)[][];
}
