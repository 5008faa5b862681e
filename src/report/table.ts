/** A plain text table: columns padded to their widest cell; a cell may hold several lines. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], color: (cell: string, column: number) => string = (c) => c): string {
  const split = rows.map((row) => row.map((cell) => cell.split('\n')));
  const widths = header.map((h, i) => Math.max(h.length, ...split.map((row) => Math.max(0, ...(row[i] ?? ['']).map((l) => l.length)))));
  const line = (cells: readonly string[], paint: boolean) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0);
        return paint ? color(padded, i) : padded;
      })
      .join('  ')
      .trimEnd();
  const out = [line(header, false)];
  for (const row of split) {
    const height = Math.max(1, ...row.map((c) => c.length));
    for (let r = 0; r < height; r++) out.push(line(row.map((c) => c[r] ?? ''), r === 0));
  }
  return out.join('\n');
}
