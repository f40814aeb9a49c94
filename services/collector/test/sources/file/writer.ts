import { copyFile, type FileHandle, open, rename, truncate } from 'node:fs/promises';

/** How logrotate turns a log over. */
export type Rotation = 'rename' | 'copytruncate';

/**
 * An application appending to one log file through an open handle, and the logrotate
 * that turns the file over under it. Rotated files are named `<path>.1`, `<path>.2`, …
 */
export class LogWriter {
  /** Rotations made so far: the suffix of the last rotated file. */
  rotated = 0;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
  ) {}

  /** Opens (creating it if needed) `path` for appending. */
  static async open(path: string): Promise<LogWriter> {
    return new LogWriter(path, await open(path, 'a'));
  }

  /** Appends through the open handle, as the application does. */
  async append(text: string): Promise<void> {
    await this.handle.appendFile(text);
  }

  /**
   * Turns the file over and returns the rotated file's path. `rename`: the file is moved
   * aside and `late` is written to it through the still-open handle (the application
   * writes on until it reopens), then the writer reopens `path`. `copytruncate`: the file
   * is copied aside then truncated; the writer keeps its handle and `late` goes to `path`.
   */
  async rotate(kind: Rotation, late = ''): Promise<string> {
    const aside = `${this.path}.${++this.rotated}`;
    if (kind === 'rename') {
      await rename(this.path, aside);
      if (late) await this.handle.appendFile(late);
      await this.handle.close();
      this.handle = await open(this.path, 'a');
    } else {
      await copyFile(this.path, aside);
      await truncate(this.path, 0);
      if (late) await this.handle.appendFile(late);
    }
    return aside;
  }

  /** Closes the handle. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}
