/**
 * A GraphQL input type made from a zod object, so that an input's fields are written once: the zod
 * schema that checks them (and names the field at fault) also gives the input type its fields, each
 * required unless the schema accepts it missing. What zod cannot say, GraphQL's ID type and the
 * fields' descriptions, is given beside it, by field name.
 */
import type { InputFieldMap } from '@pothos/core';
import { z } from 'zod';
import { builder } from '../builder.ts';

type InputScalar = 'ID' | 'String' | 'Int' | 'Float' | 'Boolean';

/** What the API says of a field beyond its zod schema. */
export interface InputFieldNotes {
  /** `ID` for an opaque identifier the zod schema checks as a string. */
  readonly type?: 'ID';
  readonly description?: string;
}

/** The scalar a field's zod schema stands for, beneath its optional and nullable wrappers. */
export function scalarOf(name: string, field: z.ZodType): InputScalar {
  let inner: z.ZodType = field;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType;
  if (inner instanceof z.ZodString) return 'String';
  if (inner instanceof z.ZodNumber) return inner.isInt ? 'Int' : 'Float';
  if (inner instanceof z.ZodBoolean) return 'Boolean';
  // Found when the schema is built, at start, not by a client.
  throw new TypeError(`input field ${name}: no GraphQL scalar for its zod type ${inner.constructor.name}`);
}

export function inputTypeFromZod<Shape extends z.ZodRawShape>(
  name: string,
  schema: z.ZodObject<Shape>,
  notes: { readonly [Field in keyof Shape]?: InputFieldNotes } = {},
) {
  return builder.inputRef<z.input<typeof schema>>(name).implement({
    fields: (t) =>
      Object.fromEntries(
        (Object.entries(schema.shape) as [keyof Shape & string, z.ZodType][]).map(([field, fieldSchema]) => {
          const note: InputFieldNotes = notes[field] ?? {};
          const type = note.type ?? scalarOf(field, fieldSchema);
          // A field is required unless its schema takes it missing (optional or nullish).
          const required = !fieldSchema.safeParse(undefined).success;
          return [field, t.field({ type, required, description: note.description })];
        }),
      ) as InputFieldMap as never,
  });
}
