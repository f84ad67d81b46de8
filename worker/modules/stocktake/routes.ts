import { router } from "../../lib/openapi"

export const stocktakeRoutes = router()
