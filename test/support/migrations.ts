import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The names of the migrations a fresh database gets, in order (the files in migrations/). */
export function migrationNames(): string[] {
  return readdirSync(join(import.meta.dirname, '..', '..', 'migrations'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.replace(/\.ts$/, ''))
    .sort();
}
