export { finishPost, getStocktake, repairStocktakes } from "./service"
