// CSV as Excel and RFC 4180 write it: quoted fields may hold the delimiter, line breaks and
// doubled quotes; lines end in CRLF, LF or CR. Pure, so it is unit-tested without a Worker.

export type CsvRecord = { row: number; cells: string[] }
export type CsvResult = { records: CsvRecord[]; error?: { row: number; message: string } }

/** The delimiter of the header line: a comma, unless the line has tabs (or semicolons) and no commas. */
export function detectDelimiter(text: string): string {
  const end = text.search(/[\r\n]/)
  const firstLine = end === -1 ? text : text.slice(0, end)
  if (firstLine.includes(",")) return ","
  if (firstLine.includes("\t")) return "\t"
  if (firstLine.includes(";")) return ";"
  return ","
}

/**
 * Splits the text into records. `row` is the record's number counting the header as 1, which is
 * the row number a spreadsheet shows (a line break inside a quoted cell does not start a row).
 */
export function parseCsv(text: string, delimiter = detectDelimiter(text)): CsvResult {
  const records: CsvRecord[] = []
  let cells: string[] = []
  let cell = ""
  let quoted = false // inside a quoted field
  let wasQuoted = false // the current field began with a quote
  let row = 1
  const endCell = () => {
    cells.push(cell)
    cell = ""
    wasQuoted = false
  }
  const endRecord = () => {
    endCell()
    // A line with nothing on it is not a record (Excel leaves them at the end).
    if (!(cells.length === 1 && cells[0] === "")) records.push({ row, cells })
    row++
    cells = []
  }
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"'
          i++
        } else quoted = false
      } else cell += ch
      continue
    }
    if (ch === '"' && cell === "" && !wasQuoted) {
      quoted = true
      wasQuoted = true
    } else if (ch === delimiter) endCell()
    else if (ch === "\r") {
      if (text[i + 1] === "\n") i++
      endRecord()
    } else if (ch === "\n") endRecord()
    else if (ch === '"' && wasQuoted) {
      return {
        records,
        error: { row, message: 'Text after a closing quote: write a quote inside a cell as two quotes ("").' },
      }
    } else cell += ch
  }
  if (quoted) return { records, error: { row, message: "A quoted cell is never closed." } }
  if (cell !== "" || cells.length > 0 || wasQuoted) endRecord()
  return { records }
}
