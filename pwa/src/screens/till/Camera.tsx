import { useEffect, useRef, useState } from "preact/hooks"
import { t } from "../../i18n"
import { scanWithCamera } from "../../till/camera"

/** The camera as a scanner: opens, reads one code, closes. */
export default function Camera({ onCode, onClose }: { onCode: (code: string) => void; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    const abort = new AbortController()
    if (video.current)
      scanWithCamera(video.current, abort.signal)
        .then((code) => {
          if (code) onCode(code)
        })
        .catch(() => setFailed(true))
    return () => abort.abort()
  }, [])
  return (
    <div class="sheet-backdrop">
      <div class="sheet" role="dialog" aria-modal="true" aria-labelledby="camera-title" data-testid="camera">
        <div class="sheet-head">
          <h2 id="camera-title">{t("camera.title")}</h2>
          <button type="button" class="button button-small" onClick={onClose}>
            {t("common.back")}
          </button>
        </div>
        {failed ? (
          <p class="notice" role="alert">
            {t("camera.failed")}
          </p>
        ) : (
          <video ref={video} class="camera-video" muted playsInline aria-label={t("camera.title")} />
        )}
      </div>
    </div>
  )
}
