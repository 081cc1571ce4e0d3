/** What every part of the local stack (Kafka, the schema registry, PostgreSQL) offers. */
export interface StackComponent {
  /** Short name used in messages and on the command line. */
  readonly name: string;
  /** The log to read when it fails to start. */
  readonly logFile: string;
  /** Downloads or installs what is missing into the cache; idempotent. */
  install(): Promise<void>;
  /** Starts it when it is not running and resolves once it is ready; idempotent. */
  start(): Promise<void>;
  /** Stops it and waits until its processes have ended; idempotent. */
  stop(): Promise<void>;
  status(): Promise<ComponentStatus>;
}

export interface ComponentStatus {
  running: boolean;
  ready: boolean;
  pid?: number;
  /** Address and, when not ready, why. */
  detail: string;
  /** Further lines worth knowing (other listeners, where credentials and certificates are). */
  notes?: string[];
}
