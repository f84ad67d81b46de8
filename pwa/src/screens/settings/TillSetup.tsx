import { useEffect, useState } from "preact/hooks"
import { formatCny, tryParseYuan } from "../../../../core/money"
import { can } from "../../../../core/roles"
import { isTooSimplePin, PIN_RE } from "../../../../core/till-pin"
import { ApiError, api } from "../../api/client"
import { device, rememberDevice } from "../../auth/device"
import { session } from "../../auth/session"
import { PinField } from "../../components/PinField"
import { type MessageKey, t } from "../../i18n"
import { online } from "../../net"
import { locationId } from "../../store/location"
import { loadPins, pinBundle } from "../../store/pins"
import { offlineStoredValueLimit, setOfflineStoredValueLimit } from "../../till/offline-limits"

// What makes a shared till work offline: my own till PIN, this device's registration (whose PINs it may hold),
// and how much stored value a sale may take while offline.

const when = (iso: string) => new Date(iso).toLocaleString("zh-CN", { hour12: false })

const MyPin = () => {
  const [isSet, setIsSet] = useState<boolean | null>(null)
  const [pin, setPin] = useState("")
  const [note, setNote] = useState<{ key: MessageKey; tone: "ok" | "error" } | null>(null)

  useEffect(() => {
    if (online.value)
      void api
        .get<{ set: boolean }>("/me/pin")
        .then((r) => setIsSet(r.set))
        .catch(() => {})
  }, [])

  const save = async (event: Event) => {
    event.preventDefault()
    if (!PIN_RE.test(pin)) return setNote({ key: "settings.pinInvalid", tone: "error" })
    if (isTooSimplePin(pin)) return setNote({ key: "settings.pinTooSimple", tone: "error" })
    if (!online.value) return setNote({ key: "settings.needsNetwork", tone: "error" })
    try {
      await api.put("/me/pin", { pin })
      setIsSet(true)
      setPin("")
      setNote({ key: "settings.pinSaved", tone: "ok" })
    } catch (error) {
      setNote({
        key:
          error instanceof ApiError && error.code === "pin_too_simple"
            ? "settings.pinTooSimple"
            : error instanceof ApiError && error.status === 0
              ? "settings.needsNetwork"
              : "error.tryAgain",
        tone: "error",
      })
    }
  }

  return (
    <form class="card form" onSubmit={save} noValidate aria-labelledby="s-pin" data-testid="my-pin">
      <h2 id="s-pin">{t("settings.pin")}</h2>
      <p class="muted">{t("settings.pinHelp")}</p>
      {isSet !== null && (
        <p>
          {t("settings.pinState")}:{" "}
          <span data-testid="pin-state">{t(isSet ? "settings.pinSet" : "settings.pinNotSet")}</span>
        </p>
      )}
      <PinField value={pin} onInput={setPin} testId="pin-input" />
      {note && (
        <p class={note.tone === "ok" ? "notice" : "form-error"} role="status" data-testid="pin-note">
          {t(note.key)}
        </p>
      )}
      <button type="submit" class="button" data-testid="pin-save">
        {t("settings.pinSave")}
      </button>
    </form>
  )
}

const ThisTill = ({ manages }: { manages: boolean }) => {
  const [name, setName] = useState("")
  const [note, setNote] = useState<MessageKey | null>(null)
  const registered = device.value
  const pins = pinBundle.value

  useEffect(() => {
    void loadPins()
  }, [])

  const register = async (event: Event) => {
    event.preventDefault()
    const store = locationId.value
    if (!name.trim() || !store) return
    if (!online.value) return setNote("settings.needsNetwork")
    try {
      const created = await api.post<{ id: string; locationId: string; name: string }>("/devices", {
        locationId: store,
        name: name.trim(),
      })
      rememberDevice({ id: created.id, locationId: created.locationId, name: created.name })
      setNote("settings.deviceRelogin")
    } catch {
      setNote("error.tryAgain")
    }
  }

  return (
    <section class="card form" aria-labelledby="s-device" data-testid="this-till">
      <h2 id="s-device">{t("settings.device")}</h2>
      <p data-testid="device-state">
        {registered ? t("settings.deviceRegistered", { name: registered.name }) : t("settings.deviceNone")}
      </p>
      {pins && (
        <p class="muted" data-testid="device-pins">
          {t("settings.devicePins", { count: pins.items.length, until: when(pins.expiresAt) })}
        </p>
      )}
      {!registered && manages && (
        <form class="inline-form" onSubmit={register} noValidate>
          <label class="field">
            <span>{t("settings.deviceName")}</span>
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="device-name" />
          </label>
          <button type="submit" class="button" data-testid="device-register">
            {t("settings.deviceRegister")}
          </button>
        </form>
      )}
      {note && (
        <p class="notice" role="status" data-testid="device-note">
          {t(note)}
        </p>
      )}
    </section>
  )
}

const OfflineLimit = () => {
  const [text, setText] = useState((offlineStoredValueLimit.value / 100).toFixed(2))
  const [saved, setSaved] = useState(false)
  const save = (event: Event) => {
    event.preventDefault()
    const parsed = tryParseYuan(text)
    if (!parsed.ok || parsed.fen < 0) return
    setOfflineStoredValueLimit(parsed.fen)
    setSaved(true)
  }
  return (
    <form class="card form" onSubmit={save} noValidate data-testid="offline-limit">
      <label class="field">
        <span>{t("settings.offlineStoredValue")}</span>
        <input
          inputMode="decimal"
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value)
            setSaved(false)
          }}
          data-testid="offline-limit-input"
        />
      </label>
      {saved && (
        <p class="muted" role="status" data-testid="offline-limit-saved">
          {formatCny(offlineStoredValueLimit.value)}
        </p>
      )}
      <button type="submit" class="button" data-testid="offline-limit-save">
        {t("settings.save")}
      </button>
    </form>
  )
}

/** Shown to anyone who sells; registering the device and the offline limit are a store manager's. */
export const TillSetup = () => {
  const role = session.value?.user.role
  if (!role || !can(role, "sales:write")) return null
  const manages = can(role, "devices:manage")
  return (
    <>
      <MyPin />
      <ThisTill manages={manages} />
      {manages && <OfflineLimit />}
    </>
  )
}
