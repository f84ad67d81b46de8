export { allLocationIds, getLocation, locationExists } from "./service"
