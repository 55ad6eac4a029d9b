// A raw statement's rows (`db.execute`), read the same way on node-postgres and PGlite: both answer { rows }.

export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
