/**
 * `npm run bench` options: the workload, which Temporal server, which store, which workers, or the side-by-side
 * comparison of worker processes and stores.
 */
import { parseArgs } from 'node:util';
import { workerProcessesNeedPostgres, type StoreKind } from './bench-workers';
import type { ServerChoice } from './bench-server';
import { MAX_CHATS } from './pipeline-runs';

/** The parsed command line. */
export interface PipelineOptions {
  messages: number;
  chats: number;
  json: boolean;
  server: ServerChoice;
  namespace: string;
  store: StoreKind;
  /** 0 = the worker in the benchmark process. */
  workers: number;
  /** Set: run the four-way comparison this many times, interleaved, instead of one run. */
  compareRounds?: number;
}

const USAGE = `usage: npm run bench -- [options]
  --messages N          messages per measured run (200; 100 with --compare-workers)
  --chats M             chats they are spread over (20)
  --server dev|cluster  start the dev server (default) or the Temporal server on PostgreSQL for the run
  --address HOST:PORT   use a running Temporal server instead (not with --server)
  --namespace NS        its namespace (default)
  --store embedded|postgres
                        the relay's store: embedded (default) or a fresh PostgreSQL database on 127.0.0.1:5432
  --workers N           N relay worker processes (needs --store postgres); 0 = the worker in this process (0)
  --compare-workers     1 vs 2 worker processes on postgres, and the in-process worker on embedded vs postgres,
                        on one server; --rounds R repeats the four interleaved (1)
  --json                print the report as JSON
`;

/** Parses `argv`; prints the usage and exits on --help; throws naming the bad option otherwise. */
export function parsePipelineOptions(argv = process.argv.slice(2)): PipelineOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string' },
      chats: { type: 'string', default: '20' },
      server: { type: 'string' },
      address: { type: 'string' },
      namespace: { type: 'string', default: 'default' },
      store: { type: 'string', default: 'embedded' },
      workers: { type: 'string', default: '0' },
      'compare-workers': { type: 'boolean', default: false },
      rounds: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const compare = values['compare-workers'];
  const messages = integer('messages', values.messages ?? (compare ? '100' : '200'), 1);
  const chats = Math.min(integer('chats', values.chats, 1, MAX_CHATS), messages);
  const store = oneOf('store', values.store, ['embedded', 'postgres'] as const);
  const workers = integer('workers', values.workers, 0, 16);
  if (workers > 0 && store !== 'postgres') throw new Error(workerProcessesNeedPostgres);
  if (compare && (values.workers !== '0' || values.store !== 'embedded')) {
    throw new Error('--compare-workers chooses the workers and stores itself; leave out --workers and --store');
  }
  if (values.rounds !== undefined && !compare) throw new Error('--rounds goes with --compare-workers');
  return {
    messages,
    chats,
    json: values.json,
    server: serverChoice(values.server, values.address),
    namespace: values.namespace,
    store,
    workers,
    compareRounds: compare ? integer('rounds', values.rounds ?? '1', 1, 10) : undefined,
  };
}

function serverChoice(server: string | undefined, address: string | undefined): ServerChoice {
  if (address !== undefined) {
    if (server !== undefined) throw new Error('--address uses a running server; leave out --server');
    if (!/^[^\s:]+:\d{1,5}$/.test(address)) throw new Error(`--address must be HOST:PORT; got "${address}"`);
    return { kind: 'existing', address };
  }
  return { kind: oneOf('server', server ?? 'dev', ['dev', 'cluster'] as const) };
}

function integer(name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}; got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) throw new Error(`--${name} must be ${allowed.join(' or ')}; got "${raw}"`);
  return raw as T;
}
