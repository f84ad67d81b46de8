export * from "./auth"
export * from "./catalog"
export * from "./locations"
export * from "./system"
