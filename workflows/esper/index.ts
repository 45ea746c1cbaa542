/** The Esper coordination workflows (deterministic code only), registered through `workflows/index.ts`. */
export { blueprintPipelineWorkflow } from './blueprint-pipeline';
export { emergencyRollbackWorkflow } from './emergency-rollback';
export { esperHealthWorkflow } from './health';
export { rollbackConfirmationWorkflow } from './rollback-confirmation';
export { trainingRunWorkflow } from './training-run';
