/**
 * compileSchema, the schema walker every spec, checkpoint, run state and op configuration is
 * checked with, holds to ajv: on every schema gradstream checks (each registered op's paramsSchema,
 * the checkpoint, the spec envelope, the run state) and on schemas using each keyword it covers, a
 * random or mutated value is accepted by both or by neither, gets the same defaults written into it,
 * and the same errors (instance path, schema path, keyword, params, message). Keywords it does not
 * cover are refused when compiling, never half-checked.
 */
import { Ajv, type ErrorObject } from 'ajv';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedSchemaError, checkpointSchema, compileSchema, defaultRegistry, sequential, toCheckpoint, toSpec, type JsonSchema } from '@gradstream/graph';
import { builtinOps, linear, mse, sigmoid } from '@gradstream/ops';
import { runStateSchema } from '@gradstream/trainer';
import { specEnvelopeSchema } from '../packages/graph/src/model/spec-schema.js';
import { configureFuzz, fuzzSettings, jsonArb, mutate, mutationArb } from './support/fuzz.js';

const FUZZ = fuzzSettings(200);
beforeAll(() => configureFuzz(FUZZ));
afterAll(() => fc.resetConfigureGlobal());

// ajv as gradstream's Node entry runs it for schemas the walker does not cover, without `verbose`
// (the walker attaches no schema or data to its errors either).
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, logger: false });

/** The fields of an error that both must agree on, in one comparable string. */
const key = (e: ErrorObject): string => JSON.stringify([e.instancePath, e.schemaPath, e.keyword, e.params, e.message, (e as { propertyName?: string }).propertyName]);

/** Checks one value both ways, on copies (both write defaults into what they check). */
function agree(schema: JsonSchema, ours: ReturnType<typeof compileSchema>, value: unknown): void {
  const { $id: _id, ...plain } = schema as Record<string, unknown>;
  const theirs = ajv.compile(plain);
  const a = structuredClone(value);
  const b = structuredClone(value);
  const theirOk = theirs(a);
  const ourOk = ours(b);
  expect(ourOk, JSON.stringify(value)).toBe(theirOk);
  expect(b).toEqual(a);
  expect((ours.errors ?? []).map(key).sort()).toEqual((theirs.errors ?? []).map(key).sort());
}

/** A small valid model, for a checkpoint and a spec to mutate. */
function model() {
  return sequential([linear({ inFeatures: 2, outFeatures: 3 }), sigmoid(), linear({ inFeatures: 3, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 });
}

const fieldsOf = (schema: unknown): string[] => {
  const out = new Set<string>();
  const walk = (s: unknown): void => {
    if (typeof s !== 'object' || s === null) return;
    for (const [k, v] of Object.entries(s)) {
      if (k === 'properties' && typeof v === 'object' && v !== null) Object.keys(v).forEach((n) => out.add(n));
      walk(v);
    }
  };
  walk(schema);
  return [...out];
};

/** Every schema gradstream checks, with a valid value of it to mutate. */
const CASES: readonly { name: string; schema: JsonSchema; valid: unknown }[] = [
  ...builtinOps.map((op) => ({ name: `op ${op.name}`, schema: op.paramsSchema, valid: op.name === 'linear' || op.name === 'dense' ? { inFeatures: 2, outFeatures: 3 } : {} })),
  { name: 'checkpoint', schema: checkpointSchema as JsonSchema, valid: JSON.parse(JSON.stringify(toCheckpoint(model(), { step: 3, epoch: 1 }))) },
  { name: 'spec envelope', schema: specEnvelopeSchema(), valid: JSON.parse(JSON.stringify(toSpec(model()))) },
  { name: 'run state', schema: runStateSchema as JsonSchema, valid: {} },
  {
    // The keywords none of the above uses, or uses only in one form.
    name: 'every covered keyword',
    schema: {
      definitions: { pair: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } },
      type: ['object', 'null'],
      properties: {
        a: { anyOf: [{ type: 'string', minLength: 2, pattern: '^x' }, { $ref: '#/definitions/pair' }] },
        b: { allOf: [{ type: 'integer' }, { exclusiveMinimum: 0, exclusiveMaximum: 5 }] },
        c: { enum: [1, 'one', null, [1], { o: 1 }] },
        d: { const: { k: [1, 2] } },
        e: { type: 'object', maxProperties: 2, propertyNames: { maxLength: 3 }, additionalProperties: { type: 'boolean' } },
        f: { oneOf: [{ type: 'number' }, { type: 'integer' }] },
        g: { type: 'object', properties: { h: { type: 'string', default: 'dflt' } }, additionalProperties: false },
        i: true,
        j: false,
      },
      required: ['b'],
    },
    valid: { a: 'xy', b: 3, c: 'one', d: { k: [1, 2] }, e: { ok: true }, f: 1.5, g: {} },
  },
];

describe('compileSchema answers as ajv does', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('on %s: valid and mutated values alike', (_name, { schema, valid }) => {
    const ours = compileSchema(schema);
    agree(schema, ours, valid);
    const fields = fieldsOf(schema);
    fc.assert(
      fc.property(fc.oneof(jsonArb(fields, 3), fc.array(mutationArb(fields), { minLength: 1, maxLength: 4 }).map((m) => mutate(valid, m))), (value) => {
        agree(schema, ours, value);
      }),
    );
  });

  it('covers every schema the default registry holds', () => {
    const covered = new Set(CASES.map((c) => c.schema));
    expect(defaultRegistry.plugins().filter((p) => !covered.has(p.paramsSchema)).map((p) => p.name)).toEqual([]);
  });

  it('refuses, when compiling, a keyword it does not check, naming it and where', () => {
    const refused = (schema: object): UnsupportedSchemaError => {
      try {
        compileSchema(schema as JsonSchema);
      } catch (e) {
        expect(e).toBeInstanceOf(UnsupportedSchemaError);
        return e as UnsupportedSchemaError;
      }
      throw new Error(`compiled ${JSON.stringify(schema)}`);
    };
    expect(refused({ type: 'object', properties: { s: { type: 'string', format: 'email' } } })).toMatchObject({ keyword: 'format', path: '#/properties/s' });
    expect(refused({ patternProperties: { '^a': {} } }).keyword).toBe('patternProperties');
    expect(refused({ items: [{ type: 'number' }] }).keyword).toBe('items (a tuple)');
    expect(refused({ $ref: 'other.json#/x' }).keyword).toBe('$ref');
    expect(refused({ oneOf: [{ not: { type: 'null' } }] })).toMatchObject({ keyword: 'not', path: '#/oneOf/0' });
  });
});
