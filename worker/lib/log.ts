// Structured JSON logs: one object per line, so Workers Logs can filter by field.
type Fields = Record<string, unknown>

const write = (level: "info" | "warn" | "error", msg: string, fields: Fields) =>
  console[level === "info" ? "log" : level](JSON.stringify({ level, msg, at: new Date().toISOString(), ...fields }))

export const log = {
  info: (msg: string, fields: Fields = {}) => write("info", msg, fields),
  warn: (msg: string, fields: Fields = {}) => write("warn", msg, fields),
  error: (msg: string, fields: Fields = {}) => write("error", msg, fields),
}
