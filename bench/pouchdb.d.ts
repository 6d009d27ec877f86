// Minimal typings for the PouchDB modules the benchmark uses as the baseline (PouchDB ships none).
declare module 'pouchdb-core' {
  interface PouchChanges { on(event: 'change', listener: (change: { id: string; doc?: { n?: number } }) => void): PouchChanges; cancel(): void }
  interface PouchSync { cancel(): void }
  interface PouchDatabase {
    put(doc: Record<string, unknown>): Promise<{ rev: string }>;
    sync(remote: PouchDatabase, options: { live: boolean; retry: boolean }): PouchSync;
    changes(options: { live: boolean; since: string; include_docs: boolean }): PouchChanges;
    destroy(): Promise<void>;
  }
  interface PouchStatic {
    new (name: string, options?: Record<string, unknown>): PouchDatabase;
    plugin(plugin: unknown): PouchStatic;
  }
  const PouchDB: PouchStatic;
  export default PouchDB;
}
declare module 'pouchdb-adapter-http' { const plugin: unknown; export default plugin; }
declare module 'pouchdb-adapter-memory' { const plugin: unknown; export default plugin; }
declare module 'pouchdb-replication' { const plugin: unknown; export default plugin; }
