import { printable } from '../errors.js';

// The Markdown sink (RESTORE.md, the GitHub step summary): every value from the API, a tool, a manifest
// or a path goes through one of these, so no value can open a fence, a heading, a list or HTML.

/** Line breaks and other control characters, as text that reads literally and stays on one line. */
function oneLine(text: string): string {
  return printable(text.replace(/\r\n/g, '\n').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, ' '));
}

/**
 * Text that reads literally inside a Markdown table cell or paragraph: no HTML, no emphasis or links
 * (a redacted `***` must not turn bold), no cell breaks, newlines as `<br>`, control characters and
 * bidi overrides made visible.
 */
export function markdownText(text: string): string {
  return printable(text.replace(/\r\n|\r/g, '\n').replace(/\t/g, ' '))
    .replace(/[\\`*_[\]~|#]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\n/g, '<br>');
}

/**
 * A value as inline code, on one line: the backtick fence is longer than any run of backticks in it, so
 * nothing in the value can close it; inside a code span no emphasis, link or HTML is read. `|` is
 * escaped, which GitHub's tables need and which keeps a value from splitting a cell.
 */
export function markdownCode(text: string): string {
  const value = oneLine(text).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...value.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = value.startsWith('`') || value.endsWith('`') || value === '' ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

/**
 * A fenced code block: the fence is longer than any run of backticks in the body, so no line of it can
 * close the block early (a quoted shell value may span lines). Control characters are made visible.
 */
export function markdownFence(info: string, lines: readonly string[]): string {
  const body = lines.map((l) => printable(l));
  const longest = Math.max(0, ...body.flatMap((l) => [...l.matchAll(/`+/g)].map((m) => m[0].length)));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${info}`, ...body, fence].join('\n');
}
