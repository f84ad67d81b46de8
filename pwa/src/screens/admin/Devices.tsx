import { useEffect, useState } from "preact/hooks"
import { api } from "../../api/client"
import { Problem } from "../../components/Message"
import { t } from "../../i18n"
import { online } from "../../net"
import { type Destination, placeName } from "../stock/docs"
import { useAction } from "../stock/parts"
import { type Device, inWords, listDevices } from "./staff"

// 设备: the tills and phones of the stores I may see. A lost one is revoked (its sessions end, its unsynced
// sales wait); a found one is reinstated so those sales can come in. Both are safe to repeat.

export function Devices({ places, store }: { places: Destination[]; store: string }) {
  const [items, setItems] = useState<Device[] | null>(null)
  const { busy, problem, run } = useAction()

  useEffect(() => {
    if (online.value) void run(async () => setItems(await inWords(listDevices)))
  }, [online.value])

  const act = (device: Device, step: "revoke" | "reinstate") =>
    run(async () => {
      const done = await inWords(() => api.post<Device>(`/devices/${device.id}/${step}`))
      setItems((now) => now?.map((d) => (d.id === done.id ? done : d)) ?? null)
    })

  const shown = items?.filter((d) => !store || d.locationId === store) ?? []
  return (
    <section class="form" aria-labelledby="devices-title" data-testid="admin-devices">
      <h2 id="devices-title" class="section-title">
        {t("admin.devices")}
      </h2>
      <Problem text={problem} testId="devices-problem" />
      {!online.value ? (
        <p class="notice">{t("admin.offline")}</p>
      ) : !items ? (
        !problem && <p class="muted">{t("common.loading")}</p>
      ) : shown.length === 0 ? (
        <p class="empty">{t("admin.noDevices")}</p>
      ) : (
        <ul class="list">
          {shown.map((d) => (
            <li key={d.id} class="doc-card" data-testid="device" data-id={d.id}>
              <div class="doc-card-head">
                <strong>{d.name}</strong>
                <span class="status" data-testid="device-status">
                  {d.revoked ? t("admin.deviceRevoked") : t("admin.deviceActive")}
                </span>
              </div>
              <span class="muted">{placeName(places, d.locationId)}</span>
              <button
                type="button"
                class="button"
                disabled={busy}
                onClick={() => void act(d, d.revoked ? "reinstate" : "revoke")}
                data-testid={d.revoked ? "device-reinstate" : "device-revoke"}
              >
                {d.revoked ? t("admin.reinstate") : t("admin.revoke")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
