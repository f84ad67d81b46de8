// A tiny typed tagged template over the Durable Object's SQLite: interpolated values become `?`
// parameters (never spliced into the text), rows come back as the caller's row type.
export type Row = Record<string, SqlStorageValue>

export type Sql = {
  all<T extends Row>(strings: TemplateStringsArray, ...values: SqlStorageValue[]): T[]
  one<T extends Row>(strings: TemplateStringsArray, ...values: SqlStorageValue[]): T | undefined
  /** Runs a statement; returns the number of rows written. */
  run(strings: TemplateStringsArray, ...values: SqlStorageValue[]): number
}

// A call site's template is the same array every time: its text is joined once.
const texts = new WeakMap<TemplateStringsArray, string>()
const textOf = (strings: TemplateStringsArray) => {
  let text = texts.get(strings)
  if (text === undefined) {
    text = strings.join("?")
    texts.set(strings, text)
  }
  return text
}

export function sqlOf(storage: SqlStorage): Sql {
  const exec = <T extends Row>(strings: TemplateStringsArray, values: SqlStorageValue[]) =>
    storage.exec<T>(textOf(strings), ...values)
  return {
    all: <T extends Row>(strings: TemplateStringsArray, ...values: SqlStorageValue[]) =>
      exec<T>(strings, values).toArray(),
    one: <T extends Row>(strings: TemplateStringsArray, ...values: SqlStorageValue[]): T | undefined => {
      for (const row of exec<T>(strings, values)) return row
      return undefined
    },
    run: (strings, ...values) => {
      // Drain the cursor: the statement runs to completion and rowsWritten is final.
      const cursor = exec(strings, values)
      cursor.toArray()
      return cursor.rowsWritten
    },
  }
}
