// The framing of the pack of small files: a POSIX tar (ustar, with a pax `path` record for names over 100
// bytes), so that `oras pull` then `tar -x` gives every stored file back by hand. Only the framing is here,
// pure and table-tested; what goes in it and where each file's bytes start is the push's (push-set.ts), and
// a pull reads the files by the offsets the remote manifest records, never by these headers.
//   POSIX.1-2017 pax, "ustar Interchange Format" (header layout, checksum) and "pax Extended Header" (records).

export const BLOCK = 512;
/** The end of an archive: two zero blocks. */
export const TAR_END: Buffer = Buffer.alloc(2 * BLOCK);

/** An octal number field of `width` bytes: digits, zero-padded, then a NUL. */
function octal(value: number, width: number): string {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new RangeError(`${value} does not fit a ${width}-byte tar field`);
  return `${digits.padStart(width - 1, '0')}\0`;
}

/** One 512-byte ustar header. `name` is at most 100 bytes (a longer one goes in a pax record before it). */
function ustarHeader(name: string, size: number, mtime: number, type: '0' | 'x'): Buffer {
  const header = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new RangeError(`tar name over 100 bytes: ${name.length}`);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(0o600, 8), 100, 'ascii'); // mode: the set's files are private
  header.write(octal(0, 8), 108, 'ascii'); // uid
  header.write(octal(0, 8), 116, 'ascii'); // gid
  header.write(octal(size, 12), 124, 'ascii');
  header.write(octal(mtime, 12), 136, 'ascii');
  header.write(type, 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  // The checksum: the sum of the header's bytes with its own field read as eight spaces.
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return header;
}

/** A pax record, `<length> <key>=<value>\n`, where the length counts its own digits too. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bare = Buffer.byteLength(body);
  let length = bare + String(bare).length;
  // Adding the length's digits can add a digit to the length: settle on the fixed point.
  while (bare + String(length).length !== length) length = bare + String(length).length;
  return `${length}${body}`;
}

/** Zero bytes that round `size` up to whole blocks. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/**
 * The header block(s) of one regular file of `size` bytes: ustar alone for a name of up to 100 bytes, else a
 * pax extended header with its `path` record first. The file's bytes follow right after what this returns,
 * then `tarPadding(size)`.
 */
export function tarFileHeader(name: string, size: number, mtime: number): Buffer {
  if (Buffer.byteLength(name) <= 100) return ustarHeader(name, size, mtime, '0');
  const record = Buffer.from(paxRecord('path', name));
  // The pax header's own name is informational; tar implementations use the record's path for the next entry.
  const short = name.slice(-90).replace(/^[^/]*\//, '');
  return Buffer.concat([ustarHeader(`PaxHeaders/${short}`.slice(0, 100), record.length, mtime, 'x'), record, tarPadding(record.length), ustarHeader(short.slice(0, 100), size, mtime, '0')]);
}
