import { runProcess } from './interrupt.ts';

// The process entry point (bin/ironclad.js loads it): signals, exit status.
await runProcess(process.argv.slice(2));
