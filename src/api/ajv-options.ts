// The options of the Ajv that validates every route's schema (src/app.ts), in one place so that tests which build a
// route of their own validate exactly as the app does.
export const AJV_CUSTOM_OPTIONS: { allErrors: boolean; keywords: string[]; removeAdditional: boolean } = {
  // Report every failing field at once, as the ValidationProblemDetails contract asks.
  allErrors: true,
  keywords: ['x-aliases'],
  // A schema that says `additionalProperties: false` refuses a field it does not name (a 400 naming it), where
  // Fastify's default (`removeAdditional: true`) dropped it in silence: `{"name", "steps"}` for a call flow made the
  // default flow, and an audit query's misspelt filter listed every entry. Schemas without the keyword (the Voice
  // Campaigns API's own bodies, whose clients may send more than the document names) are unchanged.
  removeAdditional: false,
};
