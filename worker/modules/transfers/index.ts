export { finishCancel, finishReceive, finishShip, getTransfer, repairTransfers } from "./service"
