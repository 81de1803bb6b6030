import { runServerTestsOn } from './server-tests.js';

await runServerTestsOn('postgres');
