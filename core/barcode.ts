// Retail barcodes: EAN-13, UPC-A and EAN-8, all GS1 codes whose last digit is a mod-10 check
// digit over the others (weights 3,1,3,… from the right). In-store codes (prefix 2, e.g. the
// labels a scale prints) are ordinary EAN-13s and pass the same check.

export type BarcodeKind = "ean13" | "upca" | "ean8"

const KIND_BY_LENGTH: Record<number, BarcodeKind> = { 13: "ean13", 12: "upca", 8: "ean8" }

/** The check digit for the given digits (the code without its last digit). */
export function gs1CheckDigit(body: string): number {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48
    sum += i % 2 === 0 ? digit * 3 : digit
  }
  return (10 - (sum % 10)) % 10
}

/** The code with its check digit appended. */
export const withCheckDigit = (body: string): string => body + gs1CheckDigit(body)

export type BarcodeCheck = { ok: true; kind: BarcodeKind } | { ok: false; reason: "format" | "check_digit" }

export function checkBarcode(code: string): BarcodeCheck {
  const kind = KIND_BY_LENGTH[code.length]
  if (!kind || !/^\d+$/.test(code)) return { ok: false, reason: "format" }
  const expected = gs1CheckDigit(code.slice(0, -1))
  return expected === code.charCodeAt(code.length - 1) - 48 ? { ok: true, kind } : { ok: false, reason: "check_digit" }
}

export const isValidBarcode = (code: string): boolean => checkBarcode(code).ok

export const barcodeProblem = (code: string): string | undefined => {
  const check = checkBarcode(code)
  if (check.ok) return undefined
  return check.reason === "format"
    ? "A barcode is 8 (EAN-8), 12 (UPC-A) or 13 (EAN-13) digits."
    : "The barcode's check digit is wrong: re-scan it or check the digits."
}

/** In-store codes (EAN-13 starting with 2): weighed goods, store labels. */
export const isInStoreCode = (code: string): boolean => code.length === 13 && code.startsWith("2")

/**
 * The forms one physical code may be scanned as: a UPC-A is also read as the EAN-13 with a
 * leading 0, depending on the scanner. Lookups and duplicate checks use every form.
 */
export function barcodeForms(code: string): string[] {
  if (code.length === 12) return [code, `0${code}`]
  if (code.length === 13 && code.startsWith("0")) return [code, code.slice(1)]
  return [code]
}
