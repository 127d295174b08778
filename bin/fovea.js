#!/usr/bin/env node
// The fovea CLI (Node, dawn.node). Built by `npm run build` into dist/.
import { main } from '../dist/runtime/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (e) => {
    console.error(e?.message ?? e);
    process.exit(1);
  },
);
