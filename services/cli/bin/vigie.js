#!/usr/bin/env node
// The `vigie` command: runs the built CLI (`npm run build` makes it).
import '../dist/main.js';
