import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ListrTask } from 'listr2';
import type { RunContext } from '../context.js';
import { UsageError } from '../errors.js';

/**
 * The files the run writes at its end (--report, --plan-out), checked before anything is read or
 * written: a report that cannot be written must not turn a finished upgrade into an error.
 */
export function checkOutputPathsStep(paths: readonly { flag: string; file: string | undefined }[]): ListrTask<RunContext> {
  return {
    title: 'Check the output paths',
    // Said plainly when there is nothing to check, not listr's default of repeating the title.
    skip: () => (paths.every((p) => p.file === undefined) ? `no ${paths.map((p) => p.flag).join(' or ')} given` : false),
    task: async (ctx) => {
      for (const { flag, file } of paths) if (file !== undefined) await checkWritable(flag, path.resolve(ctx.cwd, file));
    },
  };
}

export async function checkWritable(flag: string, file: string): Promise<void> {
  const dir = path.dirname(file);
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) throw new UsageError(`${flag} ${file} is a folder`, { hint: `name a file for ${flag}` });
  try {
    if (info) await access(file, constants.W_OK);
    else {
      if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
      await access(dir, constants.W_OK);
    }
  } catch {
    throw new UsageError(`${flag} ${file} cannot be written (${info ? 'the file is not writable' : `its folder ${dir} does not exist or is not writable`})`, {
      hint: `create the folder or pass another path to ${flag}`,
    });
  }
}
