/**
 * Which revision of each item the server is known to hold, so a late pull never takes a device back
 * (docs/merge.md, "A pulled version never takes a device back").
 *
 * RxDB's replication can write a version it pulled over this device's copy after that copy was already
 * pushed: the pull was fetched before the push landed, and is persisted once the push is acknowledged
 * (the device's copy then equals what it last knew of the server). The shopper would see an old value,
 * and worse, the device's record of the server's version (the ancestor of its next merge) would be the
 * old one, so a later merge could count changes it had already seen as concurrent and keep an item a
 * restore removed. CouchDB's revisions tell the two apart (a restore from a backup brings older content
 * back as a newer revision, which content alone could not), but RxDB's CouchDB plugin drops `_rev`
 * before the conflict handler sees a pulled version. So:
 *
 * - every answer of the server is read for revisions (`observe`): pulls (`_changes`), the push's own
 *   writes (`_bulk_docs`) and its look-ups (`_all_docs`); the highest generation per id is kept;
 * - a pulled document is matched with its revision by its content as the server sent it (`pulled`), and
 *   the version made of it on this device is linked to that revision (`link`);
 * - `isStale(version)` is true when that version's revision is older than one the server is known to hold.
 */

type ServerDoc = object & { _id?: unknown; _rev?: unknown; enc?: unknown; id?: unknown; _deleted?: unknown };

export interface ServerRevisions {
  /** Reads revisions out of a server answer (any JSON; what is not a CouchDB answer is ignored). */
  observe(path: string, body: unknown): void;
  /** The generation of the revision this pulled document (as the server sent it, without `_rev`) came from. */
  pulled(doc: ServerDoc): number | undefined;
  /** Links a version made on this device from a pulled document to that document's generation. */
  link(version: object, generation: number | undefined): void;
  /** True when the server is known to hold a newer revision of this version's document than the one it came from. */
  isStale(version: object & { id?: unknown }): boolean;
  /**
   * True when `doc` (as the server sends it: `_id`, `_rev`) is an older revision than one the server is
   * known to hold: a pull that read it before that revision was written, arriving after it.
   */
  isSuperseded(doc: ServerDoc): boolean;
}

const generationOf = (rev: unknown): number | undefined => {
  if (typeof rev !== 'string') return undefined;
  const generation = Number.parseInt(rev, 10);
  return Number.isSafeInteger(generation) && generation > 0 ? generation : undefined;
};

/** What identifies one version of a document as the server sent it: sealed, its envelope; plain, its content. */
const contentKey = (doc: ServerDoc): string | null => {
  const id = typeof doc._id === 'string' ? doc._id : typeof doc.id === 'string' ? doc.id : null;
  if (id === null) return null;
  if (typeof doc.enc === 'string') return `${id}|${doc.enc}`;
  const rest: Record<string, unknown> = { ...doc };
  delete rest._rev;
  delete rest._id;
  delete rest._deleted;
  // The same object as the server sent it, in the same key order, on both sides (RxDB only copies it).
  return `${id}|${JSON.stringify(rest)}|${Boolean(doc._deleted)}`;
};

export function serverRevisions(limit = 5000): ServerRevisions {
  const latest = new Map<string, number>();
  /** Pulled versions waiting for the pull modifier: content key → generation (bounded, oldest dropped). */
  const recent = new Map<string, number>();
  const linked = new WeakMap<object, { id: string; generation: number }>();
  const note = (id: unknown, rev: unknown) => {
    const generation = generationOf(rev);
    if (typeof id !== 'string' || generation === undefined) return;
    if ((latest.get(id) ?? 0) < generation) latest.set(id, generation);
  };
  const remember = (doc: ServerDoc) => {
    const key = contentKey(doc);
    const generation = generationOf(doc._rev);
    if (key === null || generation === undefined) return;
    recent.delete(key);
    recent.set(key, generation);
    if (recent.size > limit) recent.delete(recent.keys().next().value!);
  };
  return {
    observe(path, body) {
      if (path.endsWith('/_changes')) {
        const results = (body as { results?: unknown } | null)?.results;
        if (!Array.isArray(results)) return;
        for (const row of results as { id?: unknown; doc?: ServerDoc; changes?: { rev?: unknown }[] }[]) {
          note(row?.id, row?.doc?._rev ?? row?.changes?.[0]?.rev);
          if (row?.doc && typeof row.doc === 'object') remember(row.doc);
        }
      } else if (path.endsWith('/_bulk_docs') && Array.isArray(body)) {
        for (const row of body as { id?: unknown; rev?: unknown; ok?: unknown }[]) if (row?.ok) note(row.id, row.rev);
      } else if (path.endsWith('/_all_docs')) {
        const rows = (body as { rows?: unknown } | null)?.rows;
        if (!Array.isArray(rows)) return;
        for (const row of rows as { id?: unknown; value?: { rev?: unknown } }[]) note(row?.id, row?.value?.rev);
      }
    },
    pulled(doc) {
      const key = contentKey(doc);
      return key === null ? undefined : recent.get(key);
    },
    link(version, generation) {
      const id = (version as { id?: unknown }).id;
      if (typeof id === 'string' && generation !== undefined) linked.set(version, { id, generation });
    },
    isStale(version) {
      const from = linked.get(version);
      return from !== undefined && from.generation < (latest.get(from.id) ?? 0);
    },
    isSuperseded(doc) {
      const generation = generationOf(doc._rev);
      return typeof doc._id === 'string' && generation !== undefined && generation < (latest.get(doc._id) ?? 0);
    },
  };
}
