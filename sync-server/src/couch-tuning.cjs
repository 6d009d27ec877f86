// Preloaded (node --require) into the embedded pouchdb-server child, beside parent-watch.cjs: three
// limits of pouchdb-server that grow with the number of databases and devices (docs/benchmarks.md,
// "Where 1,000 devices' time goes"; at 1,000 databases the first two were a fifth of its time):
// - The disk size (pouchdb-size, `disk-size` part): an `lstat` of every file of the database on each
//   `info()`. Neither the gateway nor the apps read it; Apache CouchDB, in production, keeps its own.
// - The list of all databases, asked on every request to learn whether the addressed one exists:
//   pouchdb-all-dbs answers from its cache, but as a new array of every name, which express-pouchdb then
//   decodes name by name. The answer is kept here until a database is created or destroyed; a call that
//   was already on its way when that happened is not kept (it may predate the change), so the next one
//   reads the list again, queued behind pouchdb-all-dbs's own update.
// - Its listening socket's queue of connections not yet accepted: Node's default of 511 overflowed when
//   1,000 devices connected at once and the gateway opened hundreds of connections to it in a second
//   (their catch-up pulls failed with connect timeouts and resets, 300 to 800 a run): 4,096, the
//   gateway's pool to it, as far as the system allows (net.core.somaxconn).
// Nothing else changes: routes, authentication, authorisation and storage are pouchdb-server's own.
'use strict';
const Module = require('node:module');
const net = require('node:net');

const BACKLOG = 4096;
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenWithBacklog(...args) {
  // pouchdb-server calls listen(port, host, callback) once (express's app.listen).
  const [port, host, callback] = args;
  if (typeof port === 'number' && typeof host === 'string' && (callback === undefined || typeof callback === 'function')) {
    return listen.call(this, { port, host, backlog: BACKLOG }, callback);
  }
  return listen.apply(this, args);
};

const load = Module._load;
Module._load = function tunedLoad(request, parent, isMain) {
  const loaded = load.call(this, request, parent, isMain);
  if (request !== 'express-pouchdb' || typeof loaded !== 'function' || loaded.__toteTuned) return loaded;
  const tuned = function expressPouchDB(startPouchDB, opts) {
    // Both arguments are optional in express-pouchdb; pouchdb-server passes the options alone.
    const options = startPouchDB && !startPouchDB.defaults ? startPouchDB : opts || {};
    const overrideMode = options.overrideMode || {};
    options.overrideMode = { ...overrideMode, exclude: [...(overrideMode.exclude || []), 'disk-size'] };
    const app = startPouchDB && startPouchDB.defaults ? loaded(startPouchDB, options) : loaded(options);
    // Registered last, so it wraps every other wrapper of allDbs (the name decoding among them).
    app.daemonManager.registerDaemon({ start: keepAllDbs });
    return app;
  };
  tuned.__toteTuned = true;
  return tuned;
};

function keepAllDbs(PouchDB) {
  // express-pouchdb's own copy, the one it wraps databases with.
  const wrappers = require(require.resolve('pouchdb-wrappers', { paths: [require.resolve('express-pouchdb')] }));
  let kept = null;
  let version = 0;
  const changed = () => {
    version += 1;
    kept = null;
  };
  PouchDB.on('created', changed);
  PouchDB.on('destroyed', changed);
  wrappers.installStaticWrapperMethods(PouchDB, {
    allDbs(orig) {
      if (kept) return Promise.resolve(kept.slice());
      const asked = version;
      return orig().then((names) => {
        if (asked === version) kept = names.slice();
        return names;
      });
    },
  });
}
