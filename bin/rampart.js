#!/usr/bin/env node
// The rampart CLI. The compiler is TypeScript run through tsx's loader, so a fresh
// clone needs no build step before its first command.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
