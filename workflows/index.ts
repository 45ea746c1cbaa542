/** Every workflow the worker registers. This is the bundle entry: deterministic code only. */
export { chatSessionWorkflow } from './chat-session';
export { messageWorkflow } from './message';
export * from './esper';
