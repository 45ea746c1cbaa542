#!/usr/bin/env node
// The `relay` command. Sources are TypeScript, loaded through tsx so there is no build step to forget.
require('tsx/cjs');
require('../cli/main.ts');
