// A panel's item table scrolls in its own box once it has many items, with only the rows in
// view in the document (renderer/src/panels/shared/ItemTable.tsx). These read it as a user
// does: scroll the box until the row is there.
import type { Locator } from 'playwright-core';

/** Every row of the panel's table, by item name, its text as shown: the box scrolled top to bottom. */
export async function allRows(panel: Locator): Promise<Map<string, string>> {
  const entries = await panel.evaluate(async (section) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const rows = new Map<string, string>();
    const collect = () => {
      for (const tr of Array.from(section.querySelectorAll('tbody tr'))) {
        const name = tr.querySelector('th[scope="row"]');
        if (name) rows.set(name.textContent ?? '', tr.textContent ?? '');
      }
    };
    const box = section.querySelector<HTMLElement>('.items-scroll');
    if (!box) {
      collect();
      return [...rows];
    }
    box.scrollTop = 0;
    for (let step = 0; step < 1000; step++) {
      await frame();
      collect();
      if (box.scrollTop + box.clientHeight >= box.scrollHeight - 1) break;
      box.scrollTop += Math.max(1, Math.floor(box.clientHeight * 0.8));
    }
    box.scrollTop = 0;
    return [...rows];
  });
  return new Map(entries);
}

/** The row of item `name`, scrolled into the panel's box. */
export async function rowOf(panel: Locator, name: string): Promise<Locator> {
  const found = await panel.evaluate(async (section, wanted) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const find = () => Array.from(section.querySelectorAll('tbody th[scope="row"]')).find((th) => th.textContent === wanted);
    const box = section.querySelector<HTMLElement>('.items-scroll');
    if (box) box.scrollTop = 0;
    for (let step = 0; step < 1000; step++) {
      await frame();
      const th = find();
      if (th) {
        th.scrollIntoView({ block: 'nearest' });
        return true;
      }
      if (!box || box.scrollTop + box.clientHeight >= box.scrollHeight - 1) return false;
      box.scrollTop += Math.max(1, Math.floor(box.clientHeight * 0.8));
    }
    return false;
  }, name);
  if (!found) throw new Error(`no row named ${JSON.stringify(name)} in the panel`);
  return panel.getByRole('row').filter({ has: panel.page().getByRole('rowheader', { name, exact: true }) });
}
