#!/usr/bin/env node
// The `ovms-server` command: the server and its admin commands. Runs the compiled code in dist/.
import { runBin } from './run-bin.js';

await runBin('cli/ovms-server.js');
