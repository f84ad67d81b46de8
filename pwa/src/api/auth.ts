import type { Permission, Role } from "../../../core/roles"
import { deviceId } from "../auth/device"
import { endSession, refreshUser, startSession } from "../auth/session"
import { ApiError, api } from "./client"

export interface LoginResponse {
  token: string
  user: { id: string; role: Role; locationIds: string[] }
}

export interface Me {
  id: string
  username: string
  displayName?: string
  role: Role
  locationIds: string[]
  permissions?: Permission[]
}

export const login = async (username: string, password: string): Promise<void> => {
  // A registered till says so: the session is then bound to it (and ends if a manager revokes the device).
  const device = deviceId()
  const body = device ? { username, password, deviceId: device } : { username, password }
  const { token, user } = await api.post<LoginResponse>("/auth/login", body, { anonymous: true })
  startSession({ token, user: { ...user, username } })
  // Ask the browser to keep IndexedDB (catalog, unsynced sales) under storage pressure; absent in some browsers.
  navigator.storage?.persist?.().catch(() => {})
}

/** Refreshes the user from /me; an older server without /me (404) or no network leaves the session as it is. */
export const refreshMe = async (): Promise<void> => {
  try {
    const me = await api.get<Me>("/me")
    if (me && typeof me === "object") refreshUser(me)
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
  }
}

/** Signs out here whatever the server answers: the token is forgotten locally either way. */
export const logout = async (): Promise<void> => {
  try {
    await api.post("/auth/logout")
  } catch {
    // offline or already expired: nothing more to do
  }
  endSession()
}
