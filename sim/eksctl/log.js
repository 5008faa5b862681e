// EKS-A's logger (pkg/logger): zap's console encoder on **stdout** without time or level (with both from
// -v 4 up), messages at V(n) shown up to the verbosity, key/value fields as a spaced JSON object after a
// tab; and a JSON copy of every message (all levels) in ./eksa-cli-logs/<2006-01-02T15_04_05>.log, which
// the CLI deletes only when the command succeeds.
import fs from 'node:fs';
import path from 'node:path';

/** time.Now().Format("2006-01-02T15_04_05"), local time. */
export function goStamp(date = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}_${p(date.getMinutes())}_${p(date.getSeconds())}`;
}

/** zapcore.ISO8601TimeEncoder: 2006-01-02T15:04:05.000Z0700, local time. */
function iso8601(date) {
  const p = (n, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${p(Math.trunc(offset / 60))}${p(offset % 60)}`;
  return `${goStamp(date).replaceAll('_', ':')}.${p(date.getMilliseconds(), 3)}${zone}`;
}

/** zap's console context: {"key": "value", …} with a space after every colon and comma. */
const spacedJson = (fields) => `{${Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;

/** The logger of the running command, for the signal handler of bin/eksctl. */
let active;

export class EksaLogger {
  /**
   * @param {{ write: (s: string) => void, verbosity?: number, cwd?: string }} options
   *   cwd: where ./eksa-cli-logs/ goes (the CLI creates it in its working directory)
   */
  constructor({ write, verbosity = 0, cwd = process.cwd() }) {
    this.write = write;
    this.verbosity = verbosity;
    const dir = path.join(cwd, 'eksa-cli-logs');
    fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
    this.file = path.join(dir, `${goStamp()}.log`);
    fs.appendFileSync(this.file, '');
    active = this;
  }

  /** logger.V(level).Info(msg, fields) */
  v(level, message, fields) {
    const now = new Date();
    const nanos = BigInt(now.getTime()) * 1_000_000n;
    fs.appendFileSync(this.file, `{"T":${nanos},"M":${JSON.stringify(message)}${fields ? `,${JSON.stringify(fields).slice(1, -1)}` : ''}}\n`);
    if (level > this.verbosity) return;
    const prefix = this.verbosity >= 4 ? `${iso8601(now)}\tV${level}\t` : '';
    this.write(`${prefix}${message}${fields && Object.keys(fields).length ? `\t${spacedJson(fields)}` : ''}\n`);
  }

  info(message, fields) {
    this.v(0, message, fields);
  }

  pass(message) {
    this.info(`✅ ${message}`);
  }

  fail(message, fields) {
    this.info(`❌ ${message}`, fields);
  }

  success(message) {
    this.info(`🎉 ${message}`);
  }

  /** PersistentPostRun: the log file goes only when the command succeeded. */
  removeFile() {
    fs.rmSync(this.file, { force: true });
    if (active === this) active = undefined;
  }
}

/** main.go's SIGINT/SIGTERM handler: a warning through the logger, then os.Exit(-1). */
export function terminationWarning() {
  const message = 'Warning: Terminating this operation may leave the cluster in an irrecoverable state';
  if (active) active.info(message);
  else process.stdout.write(`${message}\n`);
}
