import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { bundledCatalog } from './Catalog';
import { catalogDocsPath, renderCatalogDocs } from './catalogDocs';

describe('docs/actions.md', () => {
  it('matches the catalog (regenerate: npx tsx main/core/actions/catalogDocs.ts --write)', async () => {
    const catalog = bundledCatalog();
    const committed = await readFile(catalogDocsPath(), 'utf8');
    expect(committed).toBe(renderCatalogDocs(catalog));
    for (const action of catalog.all()) expect(committed).toContain(`#### ${action.id}\n`);
  });
});
