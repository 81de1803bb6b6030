import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Loads a compiled entry point from dist/, with a clear message when the project is not built. */
export async function runBin(entry) {
  const file = fileURLToPath(new URL(`../dist/${entry}`, import.meta.url));
  if (!existsSync(file)) {
    process.stderr.write(`ovms-server is not built yet (missing ${file}).\nRun: npm install (or npm run build)\n`);
    process.exit(1);
  }
  const mod = await import(pathToFileURL(file).href);
  await mod.main(process.argv.slice(2));
}
