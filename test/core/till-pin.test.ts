// The till PIN rules the server and the offline till share.
import { describe, expect, it } from "vitest"
import { toBase64Url } from "../../core/base64"
import { derivePin, isTooSimplePin, PIN_RE, pinCheck, pinMatches } from "../../core/till-pin"

describe("a till PIN", () => {
  it("is 4 to 6 digits, and not a run anyone would try first", () => {
    expect(["1234", "0000", "111111", "987654", "3456"].filter(isTooSimplePin)).toHaveLength(5)
    expect(["482916", "1357", "2024", "90210"].some(isTooSimplePin)).toBe(false)
    expect(["123", "1234567", "12a4", " 1234"].some((p) => PIN_RE.test(p))).toBe(false)
  })

  it("matches its verifier only on the device and for the user it was made for", async () => {
    const salt = crypto.getRandomValues(new Uint8Array(16))
    const hash = await derivePin("482916", salt, 1000)
    const verifier = {
      userId: "usr_a",
      salt: toBase64Url(salt),
      iterations: 1000,
      check: await pinCheck(hash, "dev_1", "usr_a"),
    }
    expect(await pinMatches("482916", verifier, "dev_1")).toBe(true)
    expect(await pinMatches("482917", verifier, "dev_1")).toBe(false)
    expect(await pinMatches("482916", verifier, "dev_2")).toBe(false)
    expect(await pinMatches("482916", { ...verifier, userId: "usr_b" }, "dev_1")).toBe(false)
    expect(await pinMatches("48291", verifier, "dev_1")).toBe(false)
  })
})
