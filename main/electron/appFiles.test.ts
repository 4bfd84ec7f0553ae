// app:// answers from the renderer folder only, against a real folder with symlinks in it.
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAppFile } from './appFiles';

let root: string;

beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'opsdeck-app-'));
  root = join(base, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(base, 'secret.txt'), 'private');
  await symlink(join(base, 'secret.txt'), join(root, 'assets', 'leak.js'));
});

describe('readAppFile', () => {
  it('serves the page and its assets with their types', async () => {
    expect(await readAppFile(root, 'app://opsdeck/index.html')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(await readAppFile(root, 'app://opsdeck/')).toMatchObject({ status: 200 });
    expect(await readAppFile(root, 'app://opsdeck/assets/app.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
  });

  it('never answers with a file outside the folder', async () => {
    for (const url of [
      'app://opsdeck/../secret.txt',
      'app://opsdeck/%2e%2e/secret.txt',
      'app://opsdeck/assets/..%2f..%2fsecret.txt',
      'app://opsdeck/assets/leak.js',
      'app://opsdeck/%00index.html',
      'app://other/index.html',
    ]) {
      const answer = await readAppFile(root, url);
      expect(answer.status, url).not.toBe(200);
      expect(String(answer.body), url).not.toContain('private');
    }
    expect((await readAppFile(root, 'app://opsdeck/assets/leak.js')).status).toBe(403);
  });
});
