const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX-shell quoting for display, so a printed command can be pasted into a terminal as is. */
export function quoteForDisplay(arg: string): string {
  if (arg.length > 0 && SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
