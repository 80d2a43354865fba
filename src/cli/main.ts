#!/usr/bin/env node
// `shoal` / `npm start`: runs one node in the foreground until SIGTERM, SIGINT or SHUTDOWN.

import { runNode } from '../node.js';
import { ConfigError, loadConfig, usage } from '../server/config.js';
import { createLogger } from '../logger.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  let config;
  try {
    config = loadConfig({ argv, env: process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`shoal: ${error.message}\n\n${usage}`);
    return 2;
  }
  const logger = createLogger(config.logLevel);
  const configIndex = argv.indexOf('--config');
  const node = await runNode(config, { logger, configFile: configIndex >= 0 ? argv[configIndex + 1] : process.env.SHOAL_CONFIG });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'signal received');
      void node.close();
    });
  }
  await node.closed;
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`shoal: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
