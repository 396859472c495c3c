// Entry for running the CLI from sources (`node --import tsx src/cli/run.ts ...`); bin/gatehouse.js uses dist/.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
