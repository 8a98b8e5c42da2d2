import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

// Request and response schemas of the document come from the same zod schemas the routes and
// the services validate with.
export const toOpenApiSchema = (schema: z.ZodTypeAny): SchemaObject =>
  // the cast stops TypeScript from expanding zod-to-json-schema's deep generic types
  (zodToJsonSchema as (s: unknown, o: object) => unknown)(schema, { target: 'openApi3', $refStrategy: 'none' }) as SchemaObject;

const components = new Map<string, SchemaObject>();

/** registers `schema` under components/schemas/<name> and returns a reference to it */
export const schemaRef = (name: string, schema: z.ZodTypeAny): { $ref: string } => {
  if (!components.has(name)) components.set(name, toOpenApiSchema(schema));
  return { $ref: `#/components/schemas/${name}` };
};

export const componentSchemas = (): Record<string, SchemaObject> => Object.fromEntries(components);
