/** Writes the app icons (icons.ts) into build-resources/ and public/. Run: npm run icons -w @tote/desktop */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ICO_SIZES, iconIcns, iconIco, iconPng, LINUX_SIZES } from './icons.ts';

const desktop = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resources = path.join(desktop, 'build-resources');
await mkdir(path.join(resources, 'icons'), { recursive: true });
await mkdir(path.join(desktop, 'public'), { recursive: true });
for (const size of LINUX_SIZES) await writeFile(path.join(resources, 'icons', `${size}x${size}.png`), iconPng(size));
await writeFile(path.join(resources, 'icon.png'), iconPng(1024));
await writeFile(path.join(resources, 'icon.ico'), iconIco(ICO_SIZES));
await writeFile(path.join(resources, 'icon.icns'), iconIcns());
await writeFile(path.join(desktop, 'public', 'icon.png'), iconPng(256));
console.log(`Icons written to ${resources} and ${path.join(desktop, 'public')}.`);
