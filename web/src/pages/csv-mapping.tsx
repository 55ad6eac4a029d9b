// Choosing a CSV file: its columns mapped to number, name and Parameter1..9 (guessed from the headers), a sample of the
// rows, and the invalid and repeated numbers listed before anything is sent.
import { useEffect, useState } from 'preact/hooks';
import { findNumberProblems, guessColumns, readPreview, type CsvFilePreview } from '../csv-preview.js';
import { COLUMN_ROLES, type ColumnNames, type ColumnRole } from '../../../src/domain/csv/column-mapping.js';
import { formatInteger } from '../format.js';

export interface CsvChoice {
  file: File;
  mapping: ColumnNames;
}

const SAMPLE_ROWS = 5;

export function CsvMapping({ onChange }: { onChange: (choice: CsvChoice | null) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<CsvFilePreview | null>(null);
  const [mapping, setMapping] = useState<ColumnNames>({});
  const [readError, setReadError] = useState('');

  useEffect(() => {
    if (!file) return;
    setReadError('');
    readPreview(file).then(
      (read) => {
        setPreview(read);
        setMapping(guessColumns(read.headers));
      },
      (error: Error) => {
        setPreview(null);
        setReadError(`The file could not be read as CSV: ${error.message}`);
      },
    );
  }, [file]);

  useEffect(() => onChange(file && mapping.number ? { file, mapping } : null), [file, mapping]);

  const problems = preview ? findNumberProblems(preview, mapping) : null;
  const setTarget = (target: ColumnRole, header: string) => {
    const next = { ...mapping };
    if (header) next[target] = header;
    else delete next[target];
    setMapping(next);
  };
  return (
    <div class="csv">
      <label for="csv-file">CSV file with a header row</label>
      <input id="csv-file" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      {readError && <p class="error" role="alert">{readError}</p>}
      {preview && (
        <>
          <p>
            {formatInteger(preview.rowsRead)} rows{preview.partial ? ' in the first 5 MB (the whole file is checked by the server)' : ''}, columns:{' '}
            {preview.headers.join(', ')}
          </p>
          <div class="mapping">
            {COLUMN_ROLES.map((target) => (
              <label key={target}>
                {target === 'number' ? 'Number (required)' : target === 'name' ? 'Name' : `Parameter${target.slice(9)}`}
                <select value={mapping[target] ?? ''} onChange={(e) => setTarget(target, e.currentTarget.value)} aria-label={`Column for ${target}`}>
                  <option value="">(none)</option>
                  {preview.headers.map((header) => (
                    <option key={header} value={header}>
                      {header}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </div>
          {!mapping.number && <p class="error">Choose the column that holds the phone numbers.</p>}
          <div class="table-wrap">
            <table class="sample">
              <caption>First rows</caption>
              <thead>
                <tr>
                  <th>Row</th>
                  {preview.headers.map((header) => (
                    <th key={header}>{header}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.sample.slice(0, SAMPLE_ROWS).map((record, index) => (
                  <tr key={index}>
                    <td>{index + 2}</td>
                    {preview.headers.map((_, column) => (
                      <td key={column}>{record[column] ?? ''}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {problems && mapping.number && (
            <div class="preview-problems" aria-live="polite">
              <p>
                {formatInteger(problems.valid)} numbers look valid; {formatInteger(problems.invalidCount)} invalid; {formatInteger(problems.duplicateCount)} repeated.
              </p>
              {problems.invalid.length > 0 && (
                <details open>
                  <summary>Invalid numbers</summary>
                  <ul class="invalid-rows">
                    {problems.invalid.map((problem) => (
                      <li key={problem.row}>
                        Row {problem.row}: {problem.reason}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
              {problems.duplicates.length > 0 && (
                <details>
                  <summary>Repeated numbers (merged into their first row)</summary>
                  <ul>
                    {problems.duplicates.map((problem) => (
                      <li key={problem.row}>
                        Row {problem.row}: {problem.number} repeats row {problem.firstRow}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </div>
          )}
        </>
      )}
    </div>
  );
}
