import { useEffect, useState } from "preact/hooks"
import { can, ROLES, type Role } from "../../../../core/roles"
import { session } from "../../auth/session"
import { AppShell } from "../../components/AppShell"
import { t } from "../../i18n"
import { online } from "../../net"
import { locationId } from "../../store/location"
import { type Destination, placeName, useDestinations } from "../stock/docs"
import { useAction } from "../stock/parts"
import "../stock/stock.css"
import "./admin.css"
import { Problem } from "../../components/Message"
import { Devices } from "./Devices"
import { NewStaff } from "./NewStaff"
import { StaffDetail } from "./StaffDetail"
import { type DeletedUser, grantableRoles, inWords, listStaff, mayManage, type StaffUser } from "./staff"

// 管理: HQ's staff accounts (who works where, in which role) and the stores' devices.

type View = { kind: "list" } | { kind: "new" } | { kind: "edit"; user: StaffUser }
type Tab = "staff" | "devices"

const storesText = (u: StaffUser, places: Destination[]) =>
  u.allLocations ? t("admin.allStores") : u.locationIds.map((id) => placeName(places, id)).join("、")

const StaffCard = (p: { user: StaffUser; places: Destination[]; onOpen?: () => void }) => (
  <li class="doc-card" data-testid="staff" data-id={p.user.id} data-status={p.user.status}>
    <div class="doc-card-head">
      <strong data-testid="staff-card-name">{p.user.displayName || p.user.username}</strong>
      <span class="status" data-testid="staff-card-role">
        {t(`role.${p.user.role}`)}
      </span>
    </div>
    <span class="muted">
      {p.user.username} · <span data-testid="staff-card-stores">{storesText(p.user, p.places)}</span>
    </span>
    {p.user.status === "disabled" && (
      <span class="badge badge-warn" data-testid="staff-card-disabled">
        {t("admin.statusDisabled")}
      </span>
    )}
    {p.onOpen && (
      <button type="button" class="button" onClick={p.onOpen} data-testid="staff-open">
        {t("admin.open")}
      </button>
    )}
  </li>
)

/** What a deletion ended: the person's sign-ins, and the integrations that used keys they issued. */
const DeletedNotice = ({ user }: { user: DeletedUser }) => (
  <div class="notice" role="status" data-testid="admin-deleted">
    <p>{t("admin.deletedNotice", { name: user.displayName || user.username })}</p>
    {user.revokedApiKeys.length > 0 && (
      <>
        <p>
          <strong>{t("admin.revokedKeys")}</strong>
        </p>
        <ul data-testid="admin-revoked-keys">
          {user.revokedApiKeys.map((k) => (
            <li key={k.id}>{k.name}</li>
          ))}
        </ul>
      </>
    )}
  </div>
)

const Filters = (p: {
  places: Destination[]
  store: string
  onStore: (id: string) => void
  role?: Role | ""
  onRole?: (role: Role | "") => void
}) => (
  <div class="filters">
    <label class="visually-hidden" for="admin-store-filter">
      {t("admin.filterStore")}
    </label>
    <select
      id="admin-store-filter"
      value={p.store}
      onChange={(e) => p.onStore(e.currentTarget.value)}
      data-testid="admin-store-filter"
    >
      <option value="">{t("admin.everyStore")}</option>
      {p.places.map((place) => (
        <option key={place.id} value={place.id}>
          {place.name}
        </option>
      ))}
    </select>
    {p.onRole && (
      <>
        <label class="visually-hidden" for="admin-role-filter">
          {t("admin.filterRole")}
        </label>
        <select
          id="admin-role-filter"
          value={p.role}
          onChange={(e) => p.onRole?.(e.currentTarget.value as Role | "")}
          data-testid="admin-role-filter"
        >
          <option value="">{t("admin.everyRole")}</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
      </>
    )}
  </div>
)

export default function Admin() {
  const me = session.value?.user
  const myRole: Role = me?.role ?? "dealer"
  const places = useDestinations()
  const [tab, setTab] = useState<Tab>("staff")
  const [view, setView] = useState<View>({ kind: "list" })
  const [users, setUsers] = useState<StaffUser[] | null>(null)
  const [store, setStore] = useState("")
  const [role, setRole] = useState<Role | "">("")
  const [notice, setNotice] = useState<string | null>(null)
  const [deleted, setDeleted] = useState<DeletedUser | null>(null)
  const { problem, run } = useAction()
  const mayUsers = can(myRole, "users:manage")
  const mayDevices = can(myRole, "devices:manage")

  const load = () => run(async () => setUsers(await inWords(listStaff)))
  useEffect(() => {
    if (mayUsers && online.value) void load()
  }, [online.value])

  const back = (message: string | null, gone: DeletedUser | null = null) => {
    setView({ kind: "list" })
    setNotice(message)
    setDeleted(gone)
    void load()
  }

  // A store filter lists that store's own staff; HQ accounts (every store) only under 全部门店.
  const shown = (users ?? []).filter((u) => (!store || u.locationIds.includes(store)) && (!role || u.role === role))
  const roles = grantableRoles(myRole)

  const staffList = () => (
    <>
      {deleted && <DeletedNotice user={deleted} />}
      {notice && !deleted && (
        <p class="notice" role="status" data-testid="admin-notice">
          {notice}
        </p>
      )}
      <Problem text={problem} testId="admin-problem" />
      <button
        type="button"
        class="button button-primary"
        disabled={!online.value}
        onClick={() => setView({ kind: "new" })}
        data-testid="admin-new"
      >
        {t("admin.new")}
      </button>
      <Filters places={places} store={store} onStore={setStore} role={role} onRole={setRole} />
      {!online.value ? (
        <p class="notice">{t("admin.offline")}</p>
      ) : !users ? (
        !problem && <p class="muted">{t("common.loading")}</p>
      ) : shown.length === 0 ? (
        <p class="empty" data-testid="admin-empty">
          {t("admin.noStaff")}
        </p>
      ) : (
        <ul class="list" data-testid="admin-staff">
          {shown.map((u) => (
            <StaffCard
              key={u.id}
              user={u}
              places={places}
              onOpen={mayManage(myRole, u) ? () => setView({ kind: "edit", user: u }) : undefined}
            />
          ))}
        </ul>
      )}
    </>
  )

  const staffTab = () =>
    view.kind === "new" ? (
      <NewStaff
        roles={roles}
        places={places}
        store={locationId.value}
        onBack={() => setView({ kind: "list" })}
        onCreated={(u) => back(t("admin.created", { name: u.displayName || u.username }))}
      />
    ) : view.kind === "edit" ? (
      <StaffDetail
        key={view.user.id}
        user={view.user}
        roles={roles}
        places={places}
        self={view.user.id === me?.id}
        onBack={() => setView({ kind: "list" })}
        onChanged={(_, message) => back(message)}
        onDeleted={(u) => back(null, u)}
      />
    ) : (
      staffList()
    )

  return (
    <AppShell title={t("tool.admin")} screen="admin">
      {!mayUsers ? (
        <p class="notice">{t("admin.notAllowed")}</p>
      ) : (
        <>
          {mayDevices && (
            <fieldset class="segmented">
              <legend class="visually-hidden">{t("tool.admin")}</legend>
              {(["staff", "devices"] as const).map((id) => (
                <button
                  key={id}
                  type="button"
                  aria-pressed={tab === id}
                  onClick={() => setTab(id)}
                  data-testid={`admin-tab-${id}`}
                >
                  {t(`admin.tab.${id}`)}
                </button>
              ))}
            </fieldset>
          )}
          {tab === "staff" ? (
            staffTab()
          ) : (
            <>
              <Filters places={places} store={store} onStore={setStore} />
              <Devices places={places} store={store} />
            </>
          )}
        </>
      )}
    </AppShell>
  )
}
