// Small device settings in localStorage. Private browsing or a full quota must not break a screen:
// a read that fails answers null, and a write that fails leaves the value in memory for this tab only.

export const readLocal = (key: string): string | null => {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}

export const writeLocal = (key: string, value: string): void => {
  try {
    localStorage.setItem(key, value)
  } catch {
    // this tab only
  }
}
