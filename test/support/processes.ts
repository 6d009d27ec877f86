/** Starting the real programs tests need (Redis, the sync server as `npm start` runs it) and knowing when they are ready. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** Starts `command`; resolves once its output contains `ready`, rejects with that output if it exits or takes longer than `timeoutMs`. */
export async function startProcess(command: string, args: readonly string[], options: SpawnOptions & { ready: string; timeoutMs?: number; what: string }): Promise<ChildProcess> {
  const { ready, timeoutMs = 10_000, what, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${what} could not be started (${error.message}).`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) while starting:\n${output}`));
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
  });
  return child;
}

/**
 * A Redis on a loopback port: throw-away (no persistence) by default; with `dir`, its append-only file
 * there (fsync every second), so it can be killed and started again on its own data; with `password`,
 * clients must give it (`requirepass`, as deploy/compose.yaml runs it).
 */
export function startRedis(port: number, options: { dir?: string; password?: string } = {}): Promise<ChildProcess> {
  const persistence = options.dir ? ['--dir', options.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--save', '', '--appendonly', 'no'];
  const auth = options.password ? ['--requirepass', options.password] : [];
  return startProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence, ...auth], {
    ready: 'Ready to accept connections', what: 'redis-server (install Debian\'s redis-server; .ci/run does)',
  });
}
