/** The Esper coordination workflows (deterministic code only), registered through `workflows/index.ts`. */
export { blueprintPipelineWorkflow } from './blueprint-pipeline';
export { emergencyRollbackWorkflow } from './emergency-rollback';
export { trainingRunWorkflow } from './training-run';
export { rollbackConfirmationWorkflow } from './rollback-confirmation';
