#!/usr/bin/env node
// npm pack: ship the lock file as npm-shrinkwrap.json, so a global install of the package gets the
// same dependency tree as a clone (overrides included, which npm applies to the root project only).
// `--remove` deletes it again after packing.
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const lock = fileURLToPath(new URL('../package-lock.json', import.meta.url));
const shrinkwrap = fileURLToPath(new URL('../npm-shrinkwrap.json', import.meta.url));
if (process.argv.includes('--remove')) rmSync(shrinkwrap, { force: true });
else copyFileSync(lock, shrinkwrap);
