// The camera scanner, loaded only when the cashier opens it: the browser's own BarcodeDetector where it has
// one, else the barcode-detector polyfill, whose ZXing wasm comes from our own origin (the build emits it and
// the service worker precaches it) — never from a CDN, so the camera scans offline too.
import wasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url"

export interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>
}

const FORMATS = ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "qr_code"]

type NativeDetectorClass = new (options: { formats: string[] }) => Detector

export const createDetector = async (): Promise<Detector> => {
  const native = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector
  if (native) return new native({ formats: FORMATS })
  const { BarcodeDetector, prepareZXingModule } = await import("barcode-detector/ponyfill")
  prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? wasmUrl : prefix + path),
    },
  })
  return new BarcodeDetector({ formats: ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "qr_code"] })
}

/** Scans the camera's picture until a code is read or `signal` aborts; resolves with the code (or null). */
export const scanWithCamera = async (video: HTMLVideoElement, signal: AbortSignal): Promise<string | null> => {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
  try {
    video.srcObject = stream
    await video.play()
    const detector = await createDetector()
    while (!signal.aborted) {
      const [found] = await detector.detect(video).catch(() => [])
      if (found?.rawValue) return found.rawValue
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
    return null
  } finally {
    for (const track of stream.getTracks()) track.stop()
    video.srcObject = null
  }
}
