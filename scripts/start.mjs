#!/usr/bin/env node
// `pnpm start`: will build and run the Airlock server with the admin UI on port 9090.
// The server does not exist yet (it is being built in the open issues). Say so plainly instead
// of starting something that looks like Airlock and is not.
process.stderr.write(
  [
    'Airlock: the server is not implemented yet.',
    'What exists today are the library packages (vault, auth, redactor, sandbox) and their tests:',
    '  bash scripts/setup.sh && pnpm test',
    '',
  ].join('\n'),
);
process.exit(1);
