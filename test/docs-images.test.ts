/**
 * Every image that README.md, the docs (docs/**\/*.md), the packages' READMEs and the examples'
 * READMEs show is in the repository, and every relative link in them leads to a file or folder
 * that is: the docs site (typedoc copies the files they reference into docs/api/media) and GitHub
 * both render them complete from a fresh clone.
 *
 * "In the repository" is what git keeps: tracked files and new ones not yet added, never a file
 * git ignores — a screenshot a test writes, a build output — which a fresh clone lacks even where
 * it exists on this disk. The files themselves are listed by git for the same reason.
 *
 * Markdown is read with markdown-it (HTML on), the parser typedoc renders these files with, so an
 * image or link written inside code is not taken for one. References are markdown images and
 * links (inline and reference-style) and the `src` of `<img>` / `<source>` and the `href` of `<a>`
 * tags. Links to other sites (`https:`, `mailto:`) and to anchors of the same page are not
 * followed; an anchor or query after a path is dropped before the path is looked up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { root } from './support/doc-blocks.js';

/** Repository-relative paths of the files git keeps: tracked, or untracked and not ignored. */
const kept: ReadonlySet<string> = new Set(
  execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  })
    .split('\0')
    .filter((f) => f !== ''),
);

/** The markdown files checked, as git lists them (so docs/api, which is generated and ignored, is not). */
const files: readonly string[] = [...kept]
  .filter(
    (f) =>
      f === 'README.md' ||
      /^docs\/.+\.md$/.test(f) ||
      /^packages\/[^/]+\/README\.md$/.test(f) ||
      /^examples\/[^/]+\/README\.md$/.test(f),
  )
  .filter((f) => existsSync(join(root, f)))
  .sort();

interface Reference {
  readonly kind: 'image' | 'link';
  /** As written (percent-decoded). */
  readonly target: string;
  /** 1-based line of the block it is in. */
  readonly line: number;
}

const markdown = new MarkdownIt({ html: true });
const HTML_REFERENCE = /<(img|source|a)\b[^>]*?\s(src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

function decoded(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}

function htmlReferences(html: string, line: number): Reference[] {
  return [...html.matchAll(HTML_REFERENCE)].map(
    (m): Reference => ({ kind: m[1]?.toLowerCase() === 'a' ? 'link' : 'image', target: decoded(m[3] ?? m[4] ?? m[5] ?? ''), line }),
  );
}

/** The images and links of a markdown text, outside code, each with its line. */
function referencesIn(text: string): Reference[] {
  const found: Reference[] = [];
  for (const block of markdown.parse(text, {})) {
    let line = (block.map?.[0] ?? 0) + 1;
    if (block.type === 'html_block') found.push(...htmlReferences(block.content, line));
    for (const t of block.children ?? []) {
      if (t.type === 'softbreak' || t.type === 'hardbreak') line++;
      else if (t.type === 'image') found.push({ kind: 'image', target: decoded(t.attrGet('src') ?? ''), line });
      else if (t.type === 'link_open') found.push({ kind: 'link', target: decoded(t.attrGet('href') ?? ''), line });
      else if (t.type === 'html_inline') found.push(...htmlReferences(t.content, line));
    }
  }
  return found;
}

const isExternal = (target: string): boolean => /^[a-z][a-z\d+.-]*:/i.test(target) || target.startsWith('//');
const isKeptFolder = (dir: string): boolean => [...kept].some((f) => f.startsWith(`${dir}/`));

/**
 * What is wrong with the references of `text`, read as the markdown file `file` (repository-
 * relative): one line each, with the file, the line and the target.
 */
function problemsIn(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const ref of referencesIn(text)) {
    const where = `${file}:${ref.line}: ${ref.kind} ${ref.target}`;
    if (isExternal(ref.target) || ref.target.startsWith('#')) continue;
    const path = ref.target.replace(/[?#].*$/s, '');
    if (path === '') {
      problems.push(`${where}: empty target`);
      continue;
    }
    if (path.startsWith('/')) {
      problems.push(`${where}: a path from the root, which typedoc does not follow; write it relative to ${file}`);
      continue;
    }
    const resolved = posix.normalize(posix.join(posix.dirname(file), path)).replace(/\/$/, '');
    if (resolved === '..' || resolved.startsWith('../')) {
      problems.push(`${where}: outside the repository`);
      continue;
    }
    const onDisk = existsSync(join(root, resolved));
    const isFolder = onDisk && statSync(join(root, resolved)).isDirectory();
    if (ref.kind === 'image' && isFolder) {
      problems.push(`${where}: a folder, not an image`);
    } else if (isFolder ? !isKeptFolder(resolved) : !(onDisk && kept.has(resolved))) {
      problems.push(
        onDisk
          ? `${where}: ${resolved} is here, but git ignores it, so a fresh clone does not have it`
          : `${where}: no such file (${resolved})`,
      );
    }
  }
  return problems;
}

describe('images and relative links in the docs', () => {
  it('are looked for in the README, the guides, and the packages\' and examples\' READMEs', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/guides/getting-started.md');
    expect(files).toContain('packages/graph/README.md');
    expect(files).toContain('examples/dashboard/README.md');
    expect(files.some((f) => f.startsWith('docs/api/'))).toBe(false);
    const images = files.flatMap((f) => referencesIn(readFileSync(join(root, f), 'utf8')).filter((r) => r.kind === 'image'));
    expect(images.length).toBeGreaterThan(0);
  });

  it('are really checked: a missing image, an ignored one and a broken link are reported, code and other sites are not', () => {
    const text = [
      '# A page',
      '',
      '![kept](docs/dashboard.png) and ![written by a test](test/screenshots/dashboard.png)',
      '',
      '<p><img alt="ignored" src="../../node_modules/.modules.yaml"></p>',
      '',
      'A [guide](../../docs/guides/streams.md#policies), [a folder](../specs/), [another site](https://example.com/x.png),',
      '[this page](#a-page) and [a missing one](../../docs/guides/nowhere.md).',
      '',
      '`![in code](nowhere.png)`',
      '',
      '```md',
      '![in a code block](nowhere.png)',
      '```',
    ].join('\n');
    const problems = problemsIn('examples/dashboard/README.md', text);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^examples\/dashboard\/README\.md:3: image test\/screenshots\/dashboard\.png: /);
    expect(problems[1]).toBe(
      'examples/dashboard/README.md:5: image ../../node_modules/.modules.yaml: node_modules/.modules.yaml is here, but git ignores it, so a fresh clone does not have it',
    );
    expect(problems[2]).toBe('examples/dashboard/README.md:8: link ../../docs/guides/nowhere.md: no such file (docs/guides/nowhere.md)');
  });

  it.each(files)('%s: every image is in the repository, every relative link leads to a file in it', (file) => {
    expect(problemsIn(file, readFileSync(join(root, file), 'utf8'))).toEqual([]);
  });
});
