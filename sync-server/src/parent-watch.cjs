// Preloaded (node --require) into the embedded pouchdb-server child. The parent holds the other end of
// this process's stdin pipe; when the parent exits or is killed (even with SIGKILL) the pipe closes and
// the child exits too, so a crashed test run or a killed `npm start` never leaves an orphan server.
'use strict';
const quit = () => process.exit(0);
process.stdin.on('end', quit);
process.stdin.on('close', quit);
process.stdin.on('error', quit);
process.stdin.resume();
