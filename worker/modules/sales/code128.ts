// Code 128 (subset B: printable ASCII) as an SVG, for the sale number on a receipt, so a return
// finds the sale with one scan. Widths from ISO/IEC 15417: each symbol is 3 bars and 3 spaces,
// 11 modules in all; the stop symbol carries its 2-module termination bar (13 modules).
const WIDTHS = (
  "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 " +
  "122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 " +
  "322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 " +
  "112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 213311 213131 311123 311321 " +
  "331121 312113 312311 332111 314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 " +
  "112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 111242 121142 121241 114212 " +
  "124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 114311 411113 " +
  "411311 113141 114131 311141 411131 211412 211214 211232 2331112"
).split(" ")

const START_B = 104
const STOP = 106

/** Symbol values: start B, one per character, the mod-103 check, stop. */
export function code128Values(text: string): number[] {
  if (!text) throw new RangeError("code128: empty text")
  const values = [...text].map((ch) => {
    const code = ch.charCodeAt(0)
    if (code < 32 || code > 127) throw new RangeError(`code128: "${ch}" is not printable ASCII`)
    return code - 32
  })
  const check = values.reduce((sum, v, i) => sum + v * (i + 1), START_B) % 103
  return [START_B, ...values, check, STOP]
}

/** Alternating bar/space widths in modules, starting with a bar. */
export const code128Widths = (text: string): number[] => code128Values(text).flatMap((v) => [...WIDTHS[v]!].map(Number))

/** An SVG of the barcode with a 10-module quiet zone each side; `module` is one module's width in px. */
export function code128Svg(text: string, opts: { module?: number; height?: number } = {}): string {
  const m = opts.module ?? 1.5
  const h = opts.height ?? 48
  const quiet = 10
  let x = quiet
  const bars: string[] = []
  code128Widths(text).forEach((w, i) => {
    if (i % 2 === 0) bars.push(`<rect x="${x * m}" y="0" width="${w * m}" height="${h}"/>`)
    x += w
  })
  const width = (x + quiet) * m
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}" role="img" aria-label="${text.replace(/[&<>"]/g, "")}"><rect width="100%" height="100%" fill="#fff"/><g fill="#000">${bars.join("")}</g></svg>`
}
