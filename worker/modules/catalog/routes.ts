import { router } from "../../lib/openapi"

export const catalogRoutes = router()
