// The CLI from source, for tests that spawn it as a process (`node --import tsx test/helpers/run-cli.ts ...`).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
