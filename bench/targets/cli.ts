import { main } from '../../src/cli/main.js';

/**
 * The `gatehouse` command exactly as bin/gatehouse.js runs it (`gatehouse start --config FILE`),
 * from the bench build instead of dist/: the bench measures what a user starts.
 */
process.exitCode = await main(process.argv.slice(2));
