import { quoteForDisplay } from './shell-quote.js';

export { quoteForDisplay };

/** What a command does to the world: reads always run; writes and the hand-off are skipped in dry-run. */
export type CommandKind = 'read' | 'write' | 'handoff';

/** One external command as data: the dry-run preview, the journal and the real run all print this object. */
export interface Command {
  readonly argv: readonly string[];
  readonly kind: CommandKind;
  /** Why the tool runs it, in a few words: shown at -v and in the plan. */
  readonly why: string;
  /** Text fed on stdin (a remote script, a manifest); journaled by size only. */
  readonly input?: string;
  /** Kill the command after this long. */
  readonly timeoutMs?: number;
  /** Extra environment for this command only. */
  readonly env?: Readonly<Record<string, string>>;
}

export function read(argv: readonly string[], why: string, extra: Partial<Command> = {}): Command {
  return { ...extra, argv, kind: 'read', why };
}

export function write(argv: readonly string[], why: string, extra: Partial<Command> = {}): Command {
  return { ...extra, argv, kind: 'write', why };
}

// Flags whose value is a secret wherever they appear (eksctl, kubectl, docker, ssh pass-through).
const SECRET_FLAG = /^-{1,2}[a-z0-9-]*(token|password|passwd|secrets?|client-key-data|access-key|secret-key)(=|$)/i;

// A URL anywhere in a word: scheme://, up to whitespace or a quote.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;
// Query parameters that carry a credential: S3/SigV4 presigned URLs, Azure SAS, OAuth and friends.
const SECRET_PARAM =
  /([?&;](?:x-amz-signature|x-amz-security-token|x-amz-credential|signature|sig|token|access_token|id_token|refresh_token|auth|apikey|api_key|key|password|passwd|secret|client_secret|x-goog-signature|x-goog-credential|googleaccessid)=)[^&#;\s]*/gi;

/**
 * Text with the credentials of every URL in it replaced by `***`: the userinfo (`https://user:pass@host`)
 * and signed query parameters (`X-Amz-Signature`, `X-Amz-Security-Token`, `X-Amz-Credential`, `Signature`,
 * `sig`, `token`, …). The one function for URLs in anything printed, reported or journaled.
 */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (url) =>
    url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (_m, scheme: string) => `${scheme}***@`).replace(SECRET_PARAM, (_m, name: string) => `${name}***`),
  );
}

/** argv with the values of secret-bearing flags replaced, and URLs' credentials, for anything printed or journaled. */
export function redactArgv(argv: readonly string[]): string[] {
  return redactFlags(argv).map(redactUrls);
}

function redactFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext) {
      out.push('***');
      hideNext = false;
      continue;
    }
    const match = SECRET_FLAG.exec(arg);
    if (match) {
      if (arg.includes('=')) {
        out.push(`${arg.slice(0, arg.indexOf('='))}=***`);
      } else {
        out.push(arg);
        hideNext = true;
      }
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** The command line as the operator would type it, secrets redacted. */
export function formatCommand(argv: readonly string[]): string {
  return redactArgv(argv).map(quoteForDisplay).join(' ');
}

/** Heredoc delimiter for the preview; a script line can never equal it, since values hold no newlines. */
const INPUT_END = 'EKSA_SAFE_UPGRADE_INPUT';

/** How a command with stdin is shown: pasteable, the input as a quoted heredoc. */
export function formatStreamCommand(command: Command): string {
  const shown = formatCommand(command.argv);
  if (command.input === undefined) return shown;
  const input = command.input.endsWith('\n') ? command.input : `${command.input}\n`;
  return `${shown} <<'${INPUT_END}'\n${input}${INPUT_END}`;
}
