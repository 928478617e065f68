#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a checkout needs no separate compile step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/bin.ts');
