/**
 * Entry point of the log writer thread: owns a second connection to the store's database
 * and writes the rows of each request in one transaction, in the order requests came.
 * SQLite's WAL lets the main thread's connection read (searches) meanwhile.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { summarizeError } from '@vigie/common';
import { openDatabase } from '../database.js';
import { LogWrites } from '../log-writes.js';
import type { LogWriterData, LogWriterMessage, LogWriterRequest } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('the log writer must run in a worker thread');

const db = openDatabase((workerData as LogWriterData).path);
const writes = new LogWrites(db);

port.on('message', (request: LogWriterRequest) => {
  if (request.type === 'close') {
    db.close();
    port.close();
    return;
  }
  let message: LogWriterMessage;
  try {
    message = { type: 'written', id: request.id, outcomes: writes.writeRows(request.rows) };
  } catch (err) {
    message = { type: 'failed', id: request.id, message: summarizeError(err).message };
  }
  port.postMessage(message);
});
port.postMessage({ type: 'ready' } satisfies LogWriterMessage);
