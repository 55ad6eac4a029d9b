// The step registry and the schema as a whole: one definition per step type, a validating factory, and a schema fit
// for OpenAPI.
import { describe, expect, it } from 'vitest';
import { FlowSchema, STEP_SCHEMAS, STEP_TYPES, StepSchema, type Step } from '../../src/callflow/schema.js';
import { InvalidStepError, STEP_DEFINITIONS, makeStep } from '../../src/callflow/steps/index.js';
import { loopsWithout, reachableFrom } from '../../src/callflow/flow-graph.js';

describe('the step registry', () => {
  it('has one definition per step type of the schema, under its own type', () => {
    expect(Object.keys(STEP_DEFINITIONS).sort()).toEqual([...STEP_TYPES].sort());
    for (const type of STEP_TYPES) expect(STEP_DEFINITIONS[type].type).toBe(type);
    expect(STEP_TYPES).toEqual(['say', 'play', 'gather', 'transfer', 'sms', 'hangup', 'answerType', 'optOut']);
  });

  it('only a gather waits for input', () => {
    expect(STEP_TYPES.filter((type) => STEP_DEFINITIONS[type].waitsForInput)).toEqual(['gather']);
  });

  it('makeStep binds a valid step to its definition, with its targets and texts', () => {
    const step: Step = {
      id: 'menu',
      type: 'gather',
      prompt: 'Press 1.',
      maxDigits: 1,
      timeoutMs: 5_000,
      branches: { '1': 'yes' },
      default: 'other',
      noInput: 'none',
      maxRetries: 1,
      invalidPrompt: 'Sorry.',
    };
    const prepared = makeStep(step);
    expect(prepared.definition).toBe(STEP_DEFINITIONS.gather);
    expect(prepared.targets()).toEqual([
      { path: ['branches', '1'], stepId: 'yes' },
      { path: ['default'], stepId: 'other' },
      { path: ['noInput'], stepId: 'none' },
    ]);
    expect(prepared.texts()).toEqual([
      { path: ['prompt'], text: 'Press 1.', kind: 'speech' },
      { path: ['invalidPrompt'], text: 'Sorry.', kind: 'speech' },
    ]);
  });

  it('makeStep refuses an unknown type or a step that does not match its schema', () => {
    expect(() => makeStep({ id: 'x', type: 'dance' } as unknown as Step)).toThrow(InvalidStepError);
    expect(() => makeStep({ id: 'x', type: 'say' } as unknown as Step)).toThrow(
      'step "x" is not a valid say step: /text Expected required property',
    );
  });
});

describe('the schema', () => {
  it('is a union of every step type, each requiring its type literal', () => {
    expect(StepSchema.anyOf.map((schema) => schema.properties.type.const)).toEqual(STEP_TYPES);
    for (const type of STEP_TYPES) expect(STEP_SCHEMAS[type].required).toContain('id');
  });

  it('is plain JSON Schema, for OpenAPI', () => {
    const json = JSON.parse(JSON.stringify(FlowSchema));
    expect(json.required).toEqual(['version', 'start', 'steps', 'voicemail', 'smsOnBusy']);
    expect(json.properties.steps.items.anyOf).toHaveLength(STEP_TYPES.length);
    expect(json.properties.steps.items.anyOf[2].properties.branches.patternProperties).toEqual({
      '^[0-9*#]{1,20}$': expect.objectContaining({ type: 'string', pattern: '^[A-Za-z0-9_-]+$' }),
    });
  });
});

describe('the flow graph', () => {
  const edges = (...lists: number[][]) => ({ edges: lists.map((list) => list.map((to) => ({ to, label: to }))) });

  it('finds what the start reaches', () => {
    expect(reachableFrom(edges([1], [2], [], [0]), 0)).toEqual([true, true, true, false]);
  });

  it('finds one cycle per tangle of non-waiting nodes, starting at its lowest node', () => {
    // 0 -> 1 -> 2 -> 0 and 1 -> 0: one tangle; 3 <-> 4 through the waiting node 4: none; 5 -> 5.
    const graph = edges([1], [2, 0], [0], [4], [3], [5]);
    const cycles = loopsWithout(graph, (node) => node === 4);
    expect(cycles.map((cycle) => cycle.map((step) => step.from))).toEqual([[0, 1], [5]]);
  });
});
