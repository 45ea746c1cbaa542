/**
 * The read-only Esper views: `/status [RUN_ID]`, `/seeds [RUN_ID]` and `/health`, answered by querying the
 * training run's entity and the health registry. The Claude tools read the same views.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { pickTrainingRun, queryTrainingRun } from '../../client/esper/running-runs';
import { esperIdSchema } from '../../contracts/esper/common';
import { esperHealthQuery, esperHealthWorkflowId } from '../../contracts/esper/health';
import type { TrainingRunStatus } from '../../contracts/esper/training-run';
import { formatHealth, formatSeeds, formatTrainingStatus } from '../../domain/esper/status-format';
import type { ActivityDeps } from '../deps';

export const NO_HEALTH = 'Esper health is not tracked on this relay yet: no subsystem has reported since it started.';

/** `status`, `seeds` and `health`: each returns the text a user (or Claude) reads. */
export function createEsperViews({ config, clock = Date.now }: ActivityDeps) {
  const taskQueue = config.temporal.taskQueue;

  /** The named run's status (or the only running one's), or a sentence saying why there is none. */
  async function runStatus(client: Client, runArg: string | undefined): Promise<TrainingRunStatus | string> {
    const named = runArg?.trim() || undefined;
    if (named && !esperIdSchema.safeParse(named).success) return `"${named}" is not a run id.`;
    const picked = await pickTrainingRun(client, taskQueue, named);
    if ('problem' in picked) return picked.problem;
    try {
      return await queryTrainingRun(client, picked.runId);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return `There is no training run ${picked.runId} on this relay.`;
      throw error;
    }
  }

  return {
    status: async (client: Client, runArg?: string) => {
      const status = await runStatus(client, runArg);
      return typeof status === 'string' ? status : formatTrainingStatus(status);
    },
    seeds: async (client: Client, runArg?: string) => {
      const status = await runStatus(client, runArg);
      return typeof status === 'string' ? status : formatSeeds(status);
    },
    health: async (client: Client) => {
      try {
        return formatHealth(await client.workflow.getHandle(esperHealthWorkflowId(taskQueue)).query(esperHealthQuery), clock());
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return NO_HEALTH;
        throw error;
      }
    },
  };
}

export type EsperViews = ReturnType<typeof createEsperViews>;
