// Schemas of the CSV import and export of a campaign's numbers (issue 11). The answers reuse the JSON create's and
// add-numbers' fields where they mean the same; the numbers themselves are never echoed (a file may hold 1,000,000).
import { Type, type TOptional, type TString } from '@sinclair/typebox';
import { COLUMN_ROLES, type ColumnRole } from '../../domain/csv/column-mapping.js';
import { MAX_CSV_RECORD_BYTES } from '../../domain/csv/csv-rows.js';
import { AddedPhoneNumbersSchema, CreatedCampaignSchema, LeftOutNumberSchema, MergedNumberSchema } from './campaigns.js';

const ROW = Type.Integer({ minimum: 2, description: 'CSV row of the entry (the header is row 1)' });

export const CsvColumnsSchema = Type.Object(
  Object.fromEntries(COLUMN_ROLES.map((role) => [role, Type.Optional(Type.String())])) as Record<ColumnRole, TOptional<TString>>,
  { description: 'The header each role was read from (given by the columns part, or guessed from the header row)' },
);

export const CsvLeftOutNumberSchema = Type.Composite([LeftOutNumberSchema, Type.Object({ row: ROW })], {
  description: 'A row left out (only with ignoreInvalidPhoneNumbers=true); index is its position among the data rows, from 0',
});
export const CsvMergedNumberSchema = Type.Composite([
  MergedNumberSchema,
  Type.Object({ row: ROW, duplicateOfRow: Type.Integer({ minimum: 2, description: 'CSV row of the entry that was kept' }) }),
]);

const csvCounts = {
  rows: Type.Integer({ description: 'Data rows read (the header and blank rows not counted)' }),
  columns: CsvColumnsSchema,
  invalidPhoneNumbers: Type.Array(CsvLeftOutNumberSchema),
  duplicatePhoneNumbers: Type.Array(CsvMergedNumberSchema, { description: 'Repeats of an earlier row, merged into it' }),
};

export const CsvCreatedCampaignSchema = Type.Composite([
  Type.Omit(CreatedCampaignSchema, ['phoneNumbers', 'invalidPhoneNumbers', 'duplicatePhoneNumbers']),
  Type.Object({ ...csvCounts, numbersAdded: Type.Integer({ description: 'Numbers the campaign was created with' }) }),
]);

export const CsvAddedPhoneNumbersSchema = Type.Composite([
  Type.Omit(AddedPhoneNumbersSchema, ['invalidPhoneNumbers', 'duplicatePhoneNumbers']),
  Type.Object(csvCounts),
]);

const FILE_DESCRIPTION =
  `The CSV: UTF-8 (a BOM is allowed), a header row first, fields separated by commas, semicolons or tabs (read from the header line), quoted as RFC 4180 says; a row may be at most ${MAX_CSV_RECORD_BYTES / 1024} KiB. Rows are numbered as a spreadsheet shows them (the header is row 1), and error messages name them.`;
const COLUMNS_DESCRIPTION =
  'Optional JSON text: {"number": "<header>", "name": "<header>", "parameter1": "<header>", ... "parameter9": "<header>"}. Without it the roles are guessed from the header row, ignoring case, spaces and underscores: number|phone|phonenumber|mobile|msisdn|telephone|tel, name|fullname, parameterN|paramN.';

/** The multipart body of POST /csv, for the OpenAPI document (the parts are read as a stream, in this order). */
export const CsvCreateBody = Type.Object(
  {
    campaign: Type.String({
      description:
        'JSON text: every field of the create body (POST /api/campaigns/voice) except phoneNumbers, with the same names (matched case-insensitively) and rules',
    }),
    columns: Type.Optional(Type.String({ description: COLUMNS_DESCRIPTION })),
    file: Type.String({ format: 'binary', description: FILE_DESCRIPTION }),
  },
  { description: 'multipart/form-data with the parts campaign, columns (optional) and file, in this order' },
);

/** The multipart body of POST /:id/phonenumbers/csv. */
export const CsvAddBody = Type.Object(
  {
    columns: Type.Optional(Type.String({ description: COLUMNS_DESCRIPTION })),
    file: Type.String({ format: 'binary', description: FILE_DESCRIPTION }),
  },
  { description: 'multipart/form-data with the parts columns (optional) and file, in this order' },
);
