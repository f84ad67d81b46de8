import { computed, effect, signal } from "@preact/signals"
import { readLocal, writeLocal } from "../store/local"
import { en, type MessageKey, zhCN } from "./messages"

export type { MessageKey } from "./messages"

export const LANGUAGES = ["zh-CN", "en"] as const
export type Language = (typeof LANGUAGES)[number]

const STORAGE_KEY = "puzi.lang"
const catalogs: Record<Language, Record<MessageKey, string>> = { "zh-CN": zhCN, en }

const isLanguage = (value: unknown): value is Language => LANGUAGES.includes(value as Language)

// Nothing saved, or storage blocked (private mode): Chinese, as for everyone else.
const remembered = (): Language => {
  const saved = readLocal(STORAGE_KEY)
  return isLanguage(saved) ? saved : "zh-CN"
}

const current = signal<Language>(remembered())
export const language = computed(() => current.value)

export const setLanguage = (next: Language) => {
  current.value = next
  writeLocal(STORAGE_KEY, next) // blocked: not remembered, still switched
}

/** Re-reads the remembered choice (tests and a login as another user on a shared device). */
export const loadLanguage = () => {
  current.value = remembered()
}

effect(() => {
  document.documentElement.lang = current.value
})

/** Translates a key in the current language; `{name}` placeholders are filled from `params`. */
export const t = (key: MessageKey, params: Record<string, string | number> = {}): string =>
  catalogs[current.value][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )

/**
 * Like t(), but a placeholder may be filled with markup (a highlighted name, a link): returns the pieces in
 * order, for rendering as children.
 */
export const tParts = <P>(key: MessageKey, params: Record<string, P>): (string | P)[] =>
  catalogs[current.value][key]
    .split(/(\{\w+\})/)
    .filter((piece) => piece !== "")
    .map((piece) => {
      const name = /^\{(\w+)\}$/.exec(piece)?.[1]
      return name !== undefined && name in params ? (params[name] as P) : piece
    })
