// Pinyin initials for search ("连衣裙" → "lyq"), without a dictionary: the ICU collation for
// Chinese sorts Han characters by pinyin, so a character's initial is that of the last
// boundary character sorting at or before it. Polyphones get their most common reading, and
// characters outside the common set may be off by a letter: good enough for a search hint.

const LETTERS = "abcdefghjklmnopqrstwxyz"
// A character at (or just before) the start of each initial in pinyin order; no syllable starts
// with i, u or v. Checked against common characters of every initial in test/core/pinyin.test.ts.
const BOUNDARIES = "吖八嚓咑妸发旮哈丌咔垃妈拏噢妑七呥仨他屲夕丫帀"

let collator: Intl.Collator | undefined
const HAN = /\p{Script=Han}/u

function initialOf(ch: string): string | undefined {
  collator ??= new Intl.Collator("zh-CN-u-co-pinyin")
  if (collator.compare(ch, BOUNDARIES[0]!) < 0) return undefined
  let lo = 0
  let hi = BOUNDARIES.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (collator.compare(BOUNDARIES[mid]!, ch) <= 0) lo = mid
    else hi = mid - 1
  }
  return LETTERS[lo]
}

/** Initials of the Han characters in the text, other letters and digits kept as they are (lower-cased). */
export function pinyinInitials(text: string): string {
  let out = ""
  for (const ch of text) {
    if (HAN.test(ch)) out += initialOf(ch) ?? ""
    else if (/[\p{L}\p{N}]/u.test(ch)) out += ch.toLowerCase()
  }
  return out
}
