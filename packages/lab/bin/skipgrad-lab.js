#!/usr/bin/env node
// The skipgrad-lab command. The CLI itself is TypeScript, built into dist/ (npm run setup);
// this stub exists at install time, so package managers can link the command before the build.
import('../dist/cli.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli.js')) {
    console.error('skipgrad-lab: the lab is not built yet: run `npm run setup` in the skipgrad repository first');
    process.exitCode = 1;
  } else {
    throw e;
  }
});
