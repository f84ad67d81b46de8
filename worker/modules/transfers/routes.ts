import { router } from "../../lib/openapi"

export const transfersRoutes = router()
