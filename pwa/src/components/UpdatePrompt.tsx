import { t } from "../i18n"
import { applyUpdate, updateReady } from "../sw-register"

export const UpdatePrompt = () =>
  updateReady.value ? (
    <div class="update-prompt" role="status" data-testid="update-prompt">
      <span>{t("update.available")}</span>
      <button type="button" class="button button-small" data-testid="update-apply" onClick={applyUpdate}>
        {t("update.apply")}
      </button>
    </div>
  ) : null
