// Draws the app icons (a shopfront under a striped awning) as PNGs with node:zlib only, so the
// build needs no image library. Run after changing the design: `node pwa/scripts/make-icons.mjs`.
import { writeFileSync } from "node:fs"
import { deflateSync } from "node:zlib"

const OUT = new URL("../public/icons/", import.meta.url)
const BRAND = [0xb8, 0x32, 0x27] // cinnabar, the manifest's theme colour #b83227
const PAPER = [0xff, 0xf8, 0xee]
const GOLD = [0xf2, 0xb1, 0x3c]

// CRC-32 (PNG chunk checksums); zlib.crc32 only exists on newer Node releases.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf) => {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const chunk = (type, data) => {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, "latin1"), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

const encodePng = (size, rgba) => {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0 // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ])
}

/**
 * The design in unit coordinates (0..1). `inset` shrinks the artwork towards the centre (the maskable
 * icon keeps it inside the 80 % safe zone); `rounded` gives the ordinary icon transparent corners.
 */
const colourAt = (u, v, { inset, rounded }) => {
  if (rounded) {
    const r = 0.18
    const cx = Math.min(Math.max(u, r), 1 - r)
    const cy = Math.min(Math.max(v, r), 1 - r)
    if ((u - cx) ** 2 + (v - cy) ** 2 > r * r) return null
  }
  const x = (u - inset) / (1 - 2 * inset)
  const y = (v - inset) / (1 - 2 * inset)
  // awning: five stripes with a scalloped lower edge
  if (x >= 0.14 && x <= 0.86 && y >= 0.2 && y <= 0.4) {
    const stripe = Math.floor(((x - 0.14) / 0.72) * 5)
    const within = ((x - 0.14) / 0.72) * 5 - stripe
    const scallop = 0.36 + 0.04 * Math.sin(within * Math.PI)
    if (y <= scallop) return stripe % 2 === 0 ? PAPER : GOLD
  }
  // shop body with a door and a window
  if (x >= 0.2 && x <= 0.8 && y > 0.4 && y <= 0.8) {
    if (x >= 0.28 && x <= 0.46 && y >= 0.52 && y <= 0.8) return BRAND // door
    if (x >= 0.54 && x <= 0.72 && y >= 0.5 && y <= 0.64) return GOLD // window
    return PAPER
  }
  if (x >= 0.12 && x <= 0.88 && y > 0.8 && y <= 0.84) return PAPER // step
  return BRAND
}

const draw = (size, options) => {
  const rgba = Buffer.alloc(size * size * 4)
  const samples = 4 // supersampling per axis, for smooth edges
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = colourAt((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size, options)
          if (!c) continue
          r += c[0]
          g += c[1]
          b += c[2]
          a += 1
        }
      }
      const o = (py * size + px) * 4
      if (a > 0) {
        rgba[o] = Math.round(r / a)
        rgba[o + 1] = Math.round(g / a)
        rgba[o + 2] = Math.round(b / a)
      }
      rgba[o + 3] = Math.round((a / (samples * samples)) * 255)
    }
  }
  return encodePng(size, rgba)
}

const icons = [
  ["icon-192.png", 192, { inset: 0, rounded: true }],
  ["icon-512.png", 512, { inset: 0, rounded: true }],
  ["maskable-512.png", 512, { inset: 0.12, rounded: false }],
  ["apple-touch-icon-180.png", 180, { inset: 0.04, rounded: false }],
]
for (const [name, size, options] of icons) {
  writeFileSync(new URL(name, OUT), draw(size, options))
  console.log(`wrote pwa/public/icons/${name}`)
}
