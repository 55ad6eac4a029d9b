// The call-flow language: one import for whoever wires it into the API and the dialer.
//   schema.ts       FlowSchema (TypeBox; HTTP validation and OpenAPI) and the Flow/Step types
//   validate.ts     validateFlow (create/update), flowFromSimpleMessage (migrating single-message flows)
//   interpreter.ts  runFlow (a person's call), runVoicemail (a machine's)
//   steps/          one file per step type, behind the registry in steps/index.ts
export * from './schema.js';
export * from './validate.js';
export * from './interpreter.js';
export { STEP_DEFINITIONS, makeStep, InvalidStepError, type PlayAudio } from './steps/index.js';
