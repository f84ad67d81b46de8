import { router } from "../../lib/openapi"

export const ordersRoutes = router()
