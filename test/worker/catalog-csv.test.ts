// The CSV reader on its own: RFC 4180 quoting as Excel writes it, and spreadsheet row numbers.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseCsv } from "../../worker/modules/catalog/csv"
import { decodeCsv, parseVatRate } from "../../worker/modules/catalog/import"

const cells = (text: string) => parseCsv(text).records.map((r) => r.cells)
const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)

describe("CSV reader", () => {
  it("reads quoted delimiters, line breaks and doubled quotes", () => {
    expect(cells('a,b,c\r\n"x, y","line1\nline2","say ""hi"""\r\n')).toEqual([
      ["a", "b", "c"],
      ["x, y", "line1\nline2", 'say "hi"'],
    ])
    expect(cells("a,b\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ])
    expect(cells("a,b\r1,2\r")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ])
    expect(cells('a,,""\n')).toEqual([["a", "", ""]])
    expect(cells("名称\t货号\n连衣裙\tQ1\n")).toEqual([
      ["名称", "货号"],
      ["连衣裙", "Q1"],
    ])
  })

  it("numbers records as a spreadsheet numbers rows, whatever line breaks sit inside cells", () => {
    const { records } = parseCsv('h1,h2\n"a\nb",1\n\nc,2\n')
    expect(records.map((r) => r.row)).toEqual([1, 2, 4])
  })

  it("reports an unclosed quote with its row", () => {
    expect(parseCsv('h\n"open\n').error).toEqual({ row: 2, message: expect.stringMatching(/never closed/) })
  })

  it("reads back whatever a writer quoting per RFC 4180 wrote", () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "连", ",", '"', "\n", "\r\n", " ", "1") })
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 }), (rows) => {
        const width = rows[0]!.length
        const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ""))
        const text = table.map((r) => r.map(quote).join(",")).join("\r\n")
        const back = parseCsv(text, ",")
        expect(back.error).toBeUndefined()
        // A record of one empty cell is a blank line, which the reader skips.
        expect(back.records.map((r) => r.cells)).toEqual(table.filter((r) => !(r.length === 1 && r[0] === "")))
      }),
    )
  })

  it("reads VAT rates as people write them", () => {
    expect(parseVatRate("13%")).toBe(1300)
    expect(parseVatRate("13")).toBe(1300)
    expect(parseVatRate("6.5%")).toBe(650)
    expect(parseVatRate("0.09")).toBe(900)
    expect(parseVatRate("0")).toBe(0)
    expect(parseVatRate("101%")).toBeUndefined()
    expect(parseVatRate("abc")).toBeUndefined()
  })

  it("decodes UTF-8, UTF-8 with BOM, UTF-16 and GBK", () => {
    expect(decodeCsv(new TextEncoder().encode("名称"))).toEqual({ text: "名称", encoding: "utf-8" })
    expect(decodeCsv(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61))).toEqual({ text: "a", encoding: "utf-8-bom" })
    expect(decodeCsv(Uint8Array.of(0xff, 0xfe, 0x0d, 0x54))).toEqual({ text: "名", encoding: "utf-16" })
    expect(decodeCsv(Uint8Array.of(0xc3, 0xfb, 0xb3, 0xc6))).toEqual({ text: "名称", encoding: "gbk" })
  })
})
