// Minimal typings for the PouchDB modules the benchmark uses as the baseline and the gateway's tests use as
// a stock CouchDB client (PouchDB ships none).
declare module 'pouchdb-core' {
  interface PouchChanges { on(event: 'change', listener: (change: { id: string; doc?: { n?: number } }) => void): PouchChanges; cancel(): void }
  interface PouchSync { cancel(): void; on(event: 'error' | 'denied', listener: (error: unknown) => void): PouchSync }
  interface PouchReplication extends Promise<{ ok: boolean; docs_written: number; docs_read: number }> { cancel(): void }
  interface PouchDatabase {
    put(doc: Record<string, unknown>): Promise<{ rev: string }>;
    get(id: string): Promise<Record<string, unknown> & { _id: string; _rev: string }>;
    allDocs(options?: { include_docs?: boolean }): Promise<{ rows: { id: string; doc?: Record<string, unknown> }[] }>;
    replicate: { from(remote: PouchDatabase, options?: Record<string, unknown>): PouchReplication; to(remote: PouchDatabase, options?: Record<string, unknown>): PouchReplication };
    sync(remote: PouchDatabase, options: { live: boolean; retry: boolean }): PouchSync;
    changes(options: { live: boolean; since: string; include_docs: boolean }): PouchChanges;
    destroy(): Promise<void>;
  }
  interface PouchStatic {
    new (name: string, options?: Record<string, unknown>): PouchDatabase;
    plugin(plugin: unknown): PouchStatic;
    /** The fetch PouchDB's http adapter uses (node-fetch 2 in Node: takes an `agent` option). */
    fetch(url: string, options: Record<string, unknown>): Promise<unknown>;
  }
  const PouchDB: PouchStatic;
  export default PouchDB;
}
declare module 'pouchdb-adapter-http' { const plugin: unknown; export default plugin; }
declare module 'pouchdb-adapter-memory' { const plugin: unknown; export default plugin; }
declare module 'pouchdb-replication' { const plugin: unknown; export default plugin; }
