// PostgreSQL text cannot hold U+0000, and jsonb refuses an unpaired UTF-16 surrogate ("\ud800"). Both are legal in
// JSON, so without this check such a name or parameter value reached the INSERT and failed there as a 500.
export const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const UNSTORABLE_MESSAGE = 'contains a NUL character or an unpaired surrogate, which cannot be stored.';
