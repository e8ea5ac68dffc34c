// What staff pages need from the list endpoints: they page by cursor and carry no totals, so
// counts are made by paging (200 a page) up to a cap that the page shows as "at least".
import { api } from "../api";

export const COUNT_CAP = 1000;

export type Count = { n: number; more: boolean };

export async function countAll(path: string, signal?: AbortSignal, cap = COUNT_CAP): Promise<Count> {
  let n = 0;
  let cursor: string | null = null;
  const sep = path.includes("?") ? "&" : "?";
  do {
    const page: any = await api.get(`${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, signal);
    n += page.items.length;
    cursor = page.next_cursor;
  } while (cursor && n < cap);
  return { n, more: !!cursor };
}

/** Every item of a list, up to `cap` items. */
export async function listAll(path: string, signal?: AbortSignal, cap = 200): Promise<any[]> {
  return (await listSome(path, signal, cap)).items;
}

/** The items of a list up to `cap`, and whether it has more: for counting several things in one pass. */
export async function listSome(path: string, signal?: AbortSignal, cap = COUNT_CAP): Promise<{ items: any[]; more: boolean }> {
  const items: any[] = [];
  let cursor: string | null = null;
  const sep = path.includes("?") ? "&" : "?";
  do {
    const page: any = await api.get(`${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, signal);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < cap);
  return { items, more: !!cursor };
}

const names = new Map<string, Promise<string>>();

/** A participant's name as staff see it (staff may read every profile). */
export function personName(id: string): Promise<string> {
  if (!names.has(id)) {
    names.set(id, api.get(`/v1/people/${id}`).then((p: any) => p.name as string, () => { names.delete(id); return id; }));
  }
  return names.get(id)!;
}
