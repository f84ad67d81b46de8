import { type Language, language, setLanguage, t } from "../i18n"

// Each language is named in itself, so a user who cannot read the current one still finds theirs.
const NAMES: Record<Language, string> = { "zh-CN": "中文", en: "English" }

export const LanguageSwitch = () => (
  <fieldset class="lang-switch" data-testid="lang-switch">
    <legend class="visually-hidden">{t("lang.label")}</legend>
    {(Object.keys(NAMES) as Language[]).map((lang) => (
      <button
        key={lang}
        type="button"
        lang={lang}
        class="lang-option"
        aria-pressed={language.value === lang}
        data-testid={`lang-${lang}`}
        onClick={() => setLanguage(lang)}
      >
        {NAMES[lang]}
      </button>
    ))}
  </fieldset>
)
