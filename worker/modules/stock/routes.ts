import { router } from "../../lib/openapi"

export const stockRoutes = router()
