// Counters that INFO, the metrics endpoint and the console all read (one source of truth).

export class ServerStats {
  readonly startedAtMs = Date.now();
  connectionsReceived = 0;
  rejectedConnections = 0;
  commandsProcessed = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  protocolErrors = 0;
  errorReplies = 0;
  outputLimitDisconnections = 0;

  reset(): void {
    this.connectionsReceived = 0;
    this.rejectedConnections = 0;
    this.commandsProcessed = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.protocolErrors = 0;
    this.errorReplies = 0;
    this.outputLimitDisconnections = 0;
  }
}
