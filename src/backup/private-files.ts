import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

// Folders 0700, files 0600 whatever the umask: backup sets and the files beside them hold kubeconfig and CA Secrets.
// The chmod after the write also narrows a file that already existed (mode applies only on create).

export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

export async function privateFile(file: string, data: string): Promise<void> {
  await writeFile(file, data, { mode: 0o600 });
  await chmod(file, 0o600);
}

/** Folders 0700 and files 0600 below `dir`, whatever wrote them. */
export async function chmodTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      await chmod(full, 0o700);
      await chmodTree(full);
    } else if (entry.isFile()) {
      await chmod(full, 0o600);
    }
  }
}
