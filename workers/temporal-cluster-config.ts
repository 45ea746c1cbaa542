/**
 * The static and dynamic configuration of one production-shaped Temporal server: PostgreSQL persistence and
 * SQL visibility (plugin `postgres12`), all four services in one process, every port on 127.0.0.1.
 */
import { stringify } from 'yaml';
import type { PostgresTarget } from './local-postgres';

/** The ports of one server; pick them free at runtime so clusters and dev servers never clash. */
export interface ClusterPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

export const CLUSTER_PORT_NAMES: readonly (keyof ClusterPorts)[] = [
  'frontend',
  'frontendHttp',
  'frontendMembership',
  'history',
  'historyMembership',
  'matching',
  'matchingMembership',
  'worker',
  'workerMembership',
];

export interface ClusterConfigInput {
  postgres: PostgresTarget;
  database: string;
  visibilityDatabase: string;
  ports: ClusterPorts;
  /** History shards: fixed for the cluster's lifetime; few start fast on a small machine. */
  historyShards: number;
  logLevel: string;
  dynamicConfigFile: string;
}

const HOST = '127.0.0.1';

function sqlStore(postgres: PostgresTarget, databaseName: string, maxConns: number) {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password ?? '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

const service = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
  rpc: { grpcPort, membershipPort, bindOnIP: HOST, ...(httpPort ? { httpPort } : {}) },
});

/** The server's static config file (`--env <name>` loads `<name>.yaml` from the config dir). */
export function renderServerConfig(input: ClusterConfigInput): string {
  const { ports } = input;
  const frontend = `${HOST}:${ports.frontend}`;
  return stringify({
    // Without an output file the server logs to stderr, which the caller sends to a file.
    log: { stdout: false, level: input.logLevel },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: input.historyShards,
      datastores: {
        default: sqlStore(input.postgres, input.database, 20),
        visibility: sqlStore(input.postgres, input.visibilityDatabase, 10),
      },
    },
    // No `metrics` section: no Prometheus listener (and no fixed port to clash on). pprof port 0 = off.
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: HOST }, pprof: { port: 0 } },
    services: {
      frontend: service(ports.frontend, ports.frontendMembership, ports.frontendHttp),
      history: service(ports.history, ports.historyMembership),
      matching: service(ports.matching, ports.matchingMembership),
      worker: service(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: frontend,
          httpAddress: `${HOST}:${ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    // The internal worker service (scheduler, batcher, …) reaches the frontend here.
    publicClient: { hostPort: frontend },
    // Polled, not watched; 5 s is the server's minimum.
    dynamicConfigClient: { filepath: input.dynamicConfigFile, pollInterval: '5s' },
  });
}

/** The dynamic config file; each value says why it differs from the server's default. */
export function renderDynamicConfig(): string {
  const everywhere = (value: unknown) => [{ value, constraints: {} }];
  return stringify({
    // One partition per task queue: the worker's `maxTaskQueueActivitiesPerSecond` (the global Telegram rate)
    // is then enforced in one place instead of being split across four partitions, and a single worker always
    // finds its tasks without partition forwarding, which keeps per-chat ordering tests deterministic.
    'matching.numTaskqueueReadPartitions': everywhere(1),
    'matching.numTaskqueueWritePartitions': everywhere(1),
    // As `relay up` runs the dev server: an activity scheduled by a workflow task goes straight back to the
    // worker that completed it (a lone message ~300 ms instead of ~560 ms, BENCHMARKS.md).
    'system.enableActivityEagerExecution': everywhere(true),
    // Workflow updates (`frontend.enableUpdateWorkflowExecution`) and update-with-start
    // (`frontend.enableExecuteMultiOperation`) are on by default in 1.29, so they need no entry here.
  });
}
