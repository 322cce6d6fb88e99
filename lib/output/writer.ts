// Buffered output to a stream: text is gathered into large chunks and written with backpressure.

export class TextOut {
  private parts: string[] = [];
  private size = 0;
  private drainP: Promise<void> | null = null;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly chunk = 1 << 16,
  ) {}

  /** Append text (latin1: one byte per char, so raw bytes from captures pass through). */
  line(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= this.chunk) this.flush();
  }

  flush(): void {
    if (this.size === 0 && this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'latin1');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(buf) && !this.drainP) {
      this.drainP = new Promise((res) => this.stream.once('drain', () => {
        this.drainP = null;
        res();
      }));
    }
  }

  /** Resolves when the stream can take more. */
  drained(): Promise<void> | null {
    return this.drainP;
  }

  async end(): Promise<void> {
    this.flush();
    if (this.drainP) await this.drainP;
  }
}
