// Just enough of POSIX sh to read the command lines of our docs and CI examples: quotes, backslash
// continuations, comments, `;` `|` `&&` `||` separators, redirections, `$VAR` `${VAR}` `${VAR:-x}` and
// `$(…)`. Expansions use the variables given; an unknown one is an error, so an example cannot use a
// variable it never defines.

export interface ShellVars {
  get(name: string): string | undefined;
  /** A command made only of assignments (`A=1`, `export A=1`) sets them for the commands after it. */
  set(name: string, value: string): void;
}

export interface Tokenized {
  /** Every simple command, in order, including those inside `$(…)`. */
  readonly commands: string[][];
  readonly errors: string[];
}

/** What a `$(…)` expands to: its output cannot be known here. */
export const SUBSTITUTED = '/substituted-output';

const SEPARATORS = new Set([';', '|', '&', '(', ')', '\n']);

export function tokenize(text: string, vars: ShellVars): Tokenized {
  const commands: string[][] = [];
  const errors: string[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let dropNextWord = false;
  let i = 0;

  const endWord = () => {
    if (word !== undefined) {
      if (dropNextWord) dropNextWord = false;
      else words.push(word);
    }
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) {
      commands.push(words);
      for (const [name, value] of Object.entries(assignments(words) ?? {})) vars.set(name, value);
    }
    words = [];
  };
  const append = (s: string) => {
    word = (word ?? '') + s;
  };

  /** `$…` at text[i] (which is `$`); returns the expansion and moves i past it. */
  const expand = (): string => {
    const rest = text.slice(i + 1);
    if (rest.startsWith('(')) {
      const end = matchingParen(text, i + 1);
      if (end < 0) {
        errors.push('unterminated $(');
        i = text.length;
        return '';
      }
      const inner = tokenize(text.slice(i + 2, end), vars);
      commands.push(...inner.commands);
      errors.push(...inner.errors);
      i = end + 1;
      return SUBSTITUTED;
    }
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/.exec(rest);
    const plain = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?#@*$])/.exec(rest);
    const match = braced ?? plain;
    if (!match) {
      i += 1;
      return '$';
    }
    i += 1 + match[0].length;
    const name = match[1]!;
    if (/^[0-9?#@*$]$/.test(name)) return '0'; // special parameters: a status or a count
    const value = vars.get(name);
    if (value !== undefined) return value;
    if (braced && braced[2] !== undefined) return braced[2];
    errors.push(`unknown variable $${name}`);
    return `$${name}`;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '\n') i += 2; // continuation
      else {
        append(next ?? '');
        i += 2;
      }
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) {
        errors.push("unterminated '");
        break;
      }
      append(text.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      append('');
      i += 1;
      while (i < text.length && text[i] !== '"') {
        const d = text[i]!;
        if (d === '\\' && '$`"\\\n'.includes(text[i + 1] ?? '')) {
          if (text[i + 1] !== '\n') append(text[i + 1]!);
          i += 2;
        } else if (d === '$') append(expand());
        else if (d === '`') {
          errors.push('backticks: use $(…)');
          i += 1;
        } else {
          append(d);
          i += 1;
        }
      }
      if (i >= text.length) errors.push('unterminated "');
      i += 1;
    } else if (c === '$') {
      append(expand());
    } else if (c === '`') {
      errors.push('backticks: use $(…)');
      i += 1;
    } else if (c === '#' && word === undefined) {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (c === '>' || c === '<') {
      // A redirection: drop a leading fd number, the operator, and its target word.
      if (word !== undefined && /^\d+$/.test(word)) word = undefined;
      endWord();
      i += 1;
      while (text[i] === '>' || text[i] === '&') i += 1;
      if (/\d/.test(text[i] ?? '') && text[i - 1] === '&') i += 1; // 2>&1
      else dropNextWord = true;
    } else if (SEPARATORS.has(c)) {
      endCommand();
      i += 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i += 1;
    } else {
      append(c);
      i += 1;
    }
  }
  endCommand();
  return { commands, errors };
}

/** Index of the `)` closing the `(` at `open`, skipping quoted text and nested parentheses. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'") i = text.indexOf("'", i + 1);
    else if (c === '"') {
      for (i += 1; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i += 1;
    } else if (c === '\\') i += 1;
    else if (c === '(') depth += 1;
    else if (c === ')' && --depth === 0) return i;
    if (i < 0) return -1;
  }
  return -1;
}

// Words in front of a command that do not change which program runs.
const PREFIXES = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', 'time', 'exec', 'command', 'npx', 'eval']);

/**
 * The arguments of an `eksa-safe-upgrade` invocation, or undefined when the command runs something else.
 * Leading `VAR=value` assignments are returned apart: they are the command's own environment.
 */
export function toolInvocation(words: readonly string[]): { args: string[]; env: Record<string, string> } | undefined {
  const env: Record<string, string> = {};
  let k = 0;
  for (; k < words.length; k++) {
    const w = words[k]!;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w);
    if (assignment) env[assignment[1]!] = assignment[2]!;
    else if (!PREFIXES.has(w)) break;
  }
  const program = words[k];
  if (program === undefined) return undefined;
  if (program === 'eksa-safe-upgrade' || program.endsWith('/eksa-safe-upgrade')) return { args: words.slice(k + 1), env };
  if (program === 'node' && words[k + 1]?.endsWith('bin/eksa-safe-upgrade.js')) return { args: words.slice(k + 2), env };
  return undefined;
}

/** `NAME=value …` with nothing after it, or `export NAME=value …`: assignments that persist in the shell. */
export function assignments(words: readonly string[]): Record<string, string> | undefined {
  const list = words[0] === 'export' ? words.slice(1) : words;
  if (list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const w of list) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w);
    if (!m) return undefined;
    out[m[1]!] = m[2]!;
  }
  return out;
}
