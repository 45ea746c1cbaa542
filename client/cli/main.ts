/**
 * The `relay` command line. Each subcommand parses its options, loads the config once, and calls into the
 * composition roots (`workers/`) or the ingress (`client/`).
 */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type RelayConfig } from '../../contracts/config';
import { createLogger } from '../../workers/logger';
import { runSend } from './send';
import { runSetup, runUp } from './up';

const numericId = (value: string) => {
  if (!/^-?\d{1,20}$/.test(value)) throw new InvalidArgumentError('must be a numeric id');
  return value;
};

let loaded: RelayConfig | undefined;
/** The config, parsed once on first use (so `--help` works even with a broken environment). */
function config(): RelayConfig {
  return (loaded ??= loadConfig());
}

const program = new Command('relay')
  .description('esper-relay: a durable message hub on Temporal. Every message is a workflow of five steps.')
  .showHelpAfterError('(run with --help for usage)');

program
  .command('up')
  .description('run the relay: embedded Temporal dev server (unless TEMPORAL_ADDRESS is set), worker and channels')
  .action(async () => runUp(config(), createLogger(config()), { channels: true, embeddedServer: true }));

program
  .command('worker')
  .description('run one more worker, without channels, against TEMPORAL_ADDRESS (default: the server `relay up` embeds)')
  .action(async () => runUp(config(), createLogger(config()), { channels: false, embeddedServer: false }));

program
  .command('send')
  .description('send a message through the pipeline as the CLI channel and print the reply')
  .argument('<text...>', 'the message text')
  .option('--chat <id>', 'chat id', numericId, '1')
  .option('--user <id>', 'user id', numericId, '1')
  .option('--message-id <id>', 'message id (reuse one to see dedupe: the same id is answered once)')
  .option('--json', 'print { workflowId, outcome, route, reply, steps } as JSON')
  .option('--timeout <seconds>', 'how long to wait for the reply', (value) => Number(value), 120)
  .action(async (words: string[], options) => runSend(config(), { ...options, text: words.join(' ') }));

program
  .command('setup')
  .description('find or build the Temporal CLI binary (cached per machine) and print its path')
  .action(async () => runSetup(config()));

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`relay: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`relay: ${(error as Error).message ?? error}\n`);
  process.exit(1);
});
