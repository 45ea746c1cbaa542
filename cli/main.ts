/**
 * The `relay` command line. Each subcommand parses its options, loads the config once, and calls into the
 * composition roots (`workers/`), the ingress, or the operator tools (`client/inspect`).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig, type RelayConfig } from '../contracts/config';
import { createLogger } from '../workers/logger';
import { parseDuration } from '../client/inspect/duration';
import { runCodecServer } from './codec-server';
import { runEsperSim } from './esper-sim';
import { runFailed } from './failed';
import { runReplay } from './replay';
import { runReplayCheck } from './replay-check';
import { runSend } from './send';
import { runTrace } from './trace';
import { runSetup } from './setup';
import { runUp } from './up';

const numericId = (value: string) => {
  if (!/^-?\d{1,20}$/.test(value)) throw new InvalidArgumentError('must be a numeric id');
  return value;
};

const duration = (value: string) => {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

const positiveInt = (value: string) => {
  if (!/^\d{1,9}$/.test(value) || Number(value) === 0) throw new InvalidArgumentError('must be a positive whole number');
  return Number(value);
};

const DAY_MS = 24 * 3_600_000;
const sinceOption = (what: string) =>
  new Option('--since <duration>', `${what} started within this long before now (30m, 24h, 7d)`).argParser(duration).default(DAY_MS, '24h');

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
  .argument('[text...]', 'the message text (none with --callback)')
  .option('--chat <id>', 'chat id', numericId, '1')
  .option('--user <id>', 'user id', numericId, '1')
  .option('--message-id <id>', 'message id (reuse one to see dedupe: the same id is answered once)')
  .option('--json', 'print { workflowId, outcome, route, reply, buttons, steps } as JSON')
  .option('--callback <data>', "press a reply's button: the data the reply lists next to it")
  .option('--timeout <seconds>', 'how long to wait for the reply', (value) => Number(value), 120)
  .action(async (words: string[], options) => {
    if (words.length === 0 && !options.callback) program.error('relay send: give the message text, or --callback DATA to press a button');
    await runSend(config(), { ...options, text: words.join(' ') });
  });

program
  .command('trace')
  .description("one workflow's timeline from its history: each step's attempts, duration, status and last failure")
  .argument('<workflow-id>', 'e.g. msg-telegram-42-1017 (a message) or chat-telegram-42 (a chat session)')
  .option('--run <run-id>', 'a specific run (e.g. the failed one before a replay); default the latest')
  .option('--json', 'print the trace as JSON')
  .addHelpText('after', '\nExit code 1 with "no workflow <id>" when it does not exist.')
  .action(async (workflowId: string, options) => void (await runTrace(config(), { workflowId, runId: options.run, json: options.json })));

program
  .command('failed')
  .description('list message workflows that failed, timed out, were terminated or canceled, with the cause of each')
  .addOption(sinceOption('messages'))
  .option('--chat <id>', 'only this chat (RelayChatId)', numericId)
  .option('--limit <n>', 'at most this many', positiveInt, 50)
  .option('--json', 'print an array of { workflowId, runId, status, closeTime, chatId, userId, cause } as JSON')
  .addHelpText('after', '\nExamples:\n  relay failed --since 7d\n  relay failed --chat 42 --json')
  .action(
    async (options) =>
      void (await runFailed(config(), { sinceMs: options.since, chat: options.chat, limit: options.limit, json: options.json })),
  );

program
  .command('replay')
  .description('re-run failed message workflows after a fix, from the step that failed; a delivered reply is never sent again')
  .argument('[workflow-ids...]', 'message workflows to replay (msg-<channel>-<chatId>-<messageId>)')
  .option('--all-failed', 'replay every failed message (as `relay failed` lists them) instead of the ids given')
  .addOption(sinceOption('with --all-failed: messages'))
  .option('--chat <id>', 'with --all-failed: only this chat', numericId)
  .option('--limit <n>', 'with --all-failed: at most this many', positiveInt, 50)
  .option('--dry-run', 'say what would be done (reset to event N, restart, skip), change nothing')
  .addOption(new Option('--wait [seconds]', 'wait for each new run to close and report how it ended').argParser(positiveInt).preset('120'))
  .option('--json', 'print { ok, results: [{ workflowId, action, detail, newRunId, finalStatus }] } as JSON')
  .addHelpText(
    'after',
    '\nEach failed run is reset to the workflow task before its first unfinished step (completed steps are kept),\n' +
      'or restarted with the same input when there is none. Runs whose reply was delivered are skipped.\n' +
      'Exit code 1 if any workflow could not be replayed (or, with --wait, did not complete).\n\n' +
      'Examples:\n  relay replay msg-telegram-42-1017\n  relay replay --all-failed --since 2h --dry-run',
  )
  .action(async (workflowIds: string[], options) => {
    const report = await runReplay(config(), {
      workflowIds,
      allFailed: options.allFailed,
      sinceMs: options.since,
      chat: options.chat,
      limit: options.limit,
      dryRun: options.dryRun,
      waitSeconds: options.wait,
      json: options.json,
    });
    if (!report.ok) process.exitCode = 1;
  });

program
  .command('replay-check')
  .description('replay histories against the current workflow code and report any non-determinism')
  .option('--since <duration>', 'every message and chat-session workflow started within this long (30m, 24h, 7d)', duration)
  .option('--file <history.json...>', 'history files as written by historyToJSON (e.g. test/histories/*.json)')
  .option('--limit <n>', 'with --since: at most this many histories', positiveInt, 1000)
  .option('--json', 'print { ok, results: [{ source, status, error }] } as JSON')
  .addHelpText(
    'after',
    '\nExit code 1 if any history fails to replay.\n\nExamples:\n  relay replay-check --since 7d\n  relay replay-check --file test/histories/*.json',
  )
  .action(async (options) => {
    const report = await runReplayCheck(config(), {
      sinceMs: options.since,
      files: options.file,
      limit: options.limit,
      json: options.json,
    });
    if (!report.ok) process.exitCode = 1;
  });

const port = (value: string) => {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return Number(value);
};

const origin = (value: string, previous: string[] = []) => {
  try {
    return [...previous, new URL(value).origin];
  } catch {
    throw new InvalidArgumentError('must be a URL such as http://localhost:8080');
  }
};

program
  .command('codec-server')
  .description('serve the payload codec endpoint (POST /decode, /encode) so a Temporal Web UI shows messages in plaintext')
  .option('--port <port>', 'port to listen on (default RELAY_CODEC_PORT, 8234)', port)
  .option('--host <ip>', 'address to listen on; whoever reaches it can read every message', '127.0.0.1')
  .option('--origin <url>', 'Web UI origin allowed to call it (repeatable; default the embedded UI on TEMPORAL_UI_PORT)', origin)
  .addHelpText(
    'after',
    "\nNeeds the workers' keys: RELAY_ENCRYPTION_KEYS, or the key file in RELAY_DATA_DIR. `relay up` serves it already\n" +
      'for the Web UI it embeds.\n\nExample (the docker-compose UI on port 8080, started with TEMPORAL_CODEC_ENDPOINT=http://127.0.0.1:8234):\n' +
      '  relay codec-server --origin http://localhost:8080',
  )
  .action(async (options) => runCodecServer(config(), { port: options.port, host: options.host, origins: options.origin }));

program
  .command('esper-sim')
  .description("play Esper's side on Oona (Redis) with the simulator: compiles, validations, rollback acknowledgements")
  .option('--seed <n>', 'same seed, same answers', positiveInt, 1)
  .addHelpText(
    'after',
    '\nNeeds ESPER_REDIS_URL and ESPER_SIGNING_SECRETS, the same as the relay it answers. `relay up` without them runs\n' +
      'the simulator itself, on its in-process bus.\n\nExample:\n' +
      '  ESPER_REDIS_URL=redis://127.0.0.1:6379 ESPER_SIGNING_SECRETS=... relay esper-sim --seed 7',
  )
  .action(async (options) => runEsperSim(config(), createLogger(config()), { seed: options.seed }));

program
  .command('setup')
  .description('find or build the Temporal CLI binary (cached per machine) and print its path')
  .option('--server', 'also the production-shaped Temporal server and its SQL schema tool (temporal-server, temporal-sql-tool)')
  .addHelpText('after', '\nExamples:\n  relay setup\n  relay setup --server   # prints three paths: CLI, server, SQL tool')
  .action(async (options: { server?: boolean }) => runSetup(config(), { server: options.server ?? false }));

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`relay: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`relay: ${(error as Error).message ?? error}\n`);
  process.exit(1);
});
