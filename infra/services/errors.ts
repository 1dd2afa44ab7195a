/** A failure of the services command: what failed, what to do, and which log tells more. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';

  constructor(
    readonly service: string,
    message: string,
    readonly hint?: string,
    readonly log?: string,
  ) {
    super(message);
  }

  describe(): string {
    const lines = [`${this.service}: ${this.message}`];
    if (this.hint) lines.push(`  what to do: ${this.hint}`);
    if (this.log) lines.push(`  log: ${this.log}`);
    return lines.join('\n');
  }
}
