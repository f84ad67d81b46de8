import { it } from "vitest"

it("probe", () => {
  const out: string[] = []
  for (const enc of ["gbk", "gb18030", "big5", "latin1"]) {
    try {
      const d = new TextDecoder(enc)
      out.push(`${enc}:${d.encoding}:${d.decode(new Uint8Array([0xc4, 0xe3, 0xba, 0xc3]))}`)
    } catch (e) {
      out.push(`${enc}: ERR ${String(e)}`)
    }
  }
  const col = new Intl.Collator("zh-CN")
  out.push(`collator ${col.resolvedOptions().locale} ${["张", "阿", "八", "中"].sort(col.compare).join("")}`)
  out.push(
    `fatal ${(() => {
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xc4, 0xe3]))
        return "ok"
      } catch (e) {
        return String(e)
      }
    })()}`,
  )
  console.log(out.join("\n"))
  throw new Error(out.join("\n"))
})
