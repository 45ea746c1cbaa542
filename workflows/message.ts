/**
 * `messageWorkflow`: one inbound message through the five pipeline steps. Deterministic: all I/O is in the
 * activities, which this file imports as types only.
 */
import { proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { RelayActivities } from '../activities';
import type { GateDecision, InboundMessage, MessageOutcome, Outcome, ReplyButtons, Route } from '../contracts/message';
import { searchAttributes } from '../contracts/temporal';
import { askAgentWithTools } from './agent-tools';
import { onOutboundQueue, storePreset, telegramPreset } from './presets';
import { StepTrail } from './step-trail';

const activities = proxyActivities<RelayActivities>(storePreset);

interface Answer {
  outcome: Outcome;
  reply: string;
  route?: Route;
  buttons?: ReplyButtons;
}

export async function messageWorkflow(message: InboundMessage): Promise<MessageOutcome> {
  const trail = new StepTrail();
  const who = `user ${message.userId}, ${message.channel} chat ${message.chatId}`;
  const gate = await trail.run(
    'securityGate',
    activities.securityGate,
    { ...storePreset, summary: `Allowlist, rate limit and size check (${who})` },
    [message],
    (g) => (g.allowed ? `allowed as ${g.role}` : `stopped: ${g.reason}`),
  );

  const { outcome, reply, route, buttons } = gate.allowed ? await answer(trail, message, gate) : stopped(gate);

  await trail.run(
    'deliverResponse',
    activities.deliverResponse,
    // Only Telegram sends go through the rate-limited outbound queue; a CLI or Esper reply is the workflow's
    // result and stays on this queue (where the activity can be handed over eagerly, saving a round trip).
    message.channel === 'telegram'
      ? onOutboundQueue({ ...telegramPreset, summary: 'Deliver the reply via telegram' })
      : { ...telegramPreset, summary: `Deliver the reply via ${message.channel}` },
    // `buttons` only when there are some, so a reply without them is recorded exactly as before.
    [{ message, text: reply, ...(buttons ? { buttons } : {}) }],
    (d) => `${d.parts} part(s) via ${d.channel}`,
  );
  upsertSearchAttributes([{ key: searchAttributes.outcome, value: outcome }]);
  setCurrentDetails(`Done: **${outcome}**${route ? ` (${route})` : ''}`);
  return { workflowId: workflowInfo().workflowId, outcome, route, reply, ...(buttons ? { buttons } : {}), steps: trail.steps };
}

/** Steps 2–4 for a message the gate let through: context, route, and the agent (or a command). */
async function answer(trail: StepTrail, message: InboundMessage, gate: GateDecision): Promise<Answer> {
  const context = await trail.run(
    'buildContext',
    activities.buildContext,
    { ...storePreset, summary: `Workspace and history window for chat ${message.chatId}` },
    [message],
    (c) => `workspace ${c.workspace.name}, ${c.history.turns} turns / ${c.history.tokens} tokens`,
  );
  const plan = await trail.run(
    'routeMessage',
    activities.routeMessage,
    { ...storePreset, summary: `Classify a ${message.edited ? 'edited ' : ''}${message.kind} message` },
    [message],
    (p) => `${p.route} → ${p.handler}`,
  );
  upsertSearchAttributes([{ key: searchAttributes.route, value: plan.route }]);
  const summary = plan.handler === 'agent' ? `Ask Claude (workspace ${context.workspace.name})` : `Answer the ${plan.route} without Claude`;
  const agentReply = await trail.record(
    'orchestrateAgent',
    summary,
    () => askAgentWithTools({ message, gate, context, plan }, summary),
    (a) => `answered by ${a.source}${a.usage ? ` (${a.usage.inputTokens} in / ${a.usage.outputTokens} out tokens)` : ''}`,
  );
  return { outcome: 'answered', reply: agentReply.text, route: plan.route, ...(agentReply.buttons ? { buttons: agentReply.buttons } : {}) };
}

/** A message the gate stopped gets the gate's notice as its reply. */
function stopped(gate: GateDecision): Answer {
  const outcome: Outcome =
    gate.reason === 'unauthorized'
      ? 'denied'
      : gate.reason === 'rate_limited' || gate.reason === 'budget_exhausted'
        ? 'rate_limited'
        : 'rejected';
  return { outcome, reply: gate.notice ?? 'This message was not accepted.' };
}
