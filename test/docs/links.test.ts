import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/**
 * Every relative link in the README and the docs pages leads somewhere: the file exists, and a
 * `#fragment` names a heading of the page it points to (as GitHub makes heading ids).
 */
const ROOT = resolve(import.meta.dirname, '../..');
const PAGES = [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, 'docs', name)),
];

/** The page without its fenced code blocks, where brackets and `#` mean something else. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading as string);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function relativeLinks(markdown: string): string[] {
  const text = prose(markdown);
  const targets = [
    ...[...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] as string),
    ...[...text.matchAll(/<img [^>]*src="([^"]+)"/g)].map((match) => match[1] as string),
  ];
  return targets.filter((target) => !/^[a-z]+:/.test(target));
}

test('the README and the docs pages link to files and headings that exist', () => {
  const broken: string[] = [];
  let checked = 0;
  for (const page of PAGES) {
    for (const target of relativeLinks(readFileSync(page, 'utf8'))) {
      checked++;
      const [path = '', fragment] = target.split('#');
      const file = path === '' ? page : resolve(dirname(page), path);
      const where = `${relative(ROOT, page)} → ${target}`;
      if (!existsSync(file)) broken.push(`${where}: no such file`);
      else if (fragment !== undefined && !anchorsOf(file).has(fragment)) {
        broken.push(`${where}: no such heading`);
      }
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(checked > 20, `only ${checked} links found: is the link pattern still right?`);
});

test('every docs page is linked from the README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const linked = new Set(relativeLinks(readme).map((target) => target.split('#')[0]));
  const pages = PAGES.filter((page) => !page.endsWith('README.md')).map((page) =>
    relative(ROOT, page),
  );
  assert.deepEqual(
    pages.filter((page) => !linked.has(page)),
    [],
  );
});
