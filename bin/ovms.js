#!/usr/bin/env node
// The `ovms` client tools (simulated car, app commands). Runs the compiled code in dist/.
import { runBin } from './run-bin.js';

await runBin('cli/ovms.js');
