import { formatTimestamp } from '../../server/server-commands.js';
import type { HistoryRecord, HistorySummary, StoredMessage } from '../../store/store.js';
import { payloadText } from './common.js';

/**
 * Row views that the reference takes straight from its database. Its MySQL driver hands every column
 * over as a string, so every value here is a JSON string too: clients written against it expect that.
 */

export type ProtocolRow = {
  m_msgtime: string;
  m_paranoid: string;
  m_ptoken: string;
  m_code: string;
  m_msg: string;
};

/** GET /api/protocol: the valid stored messages, F and S first. */
export function protocolView(messages: readonly StoredMessage[]): ProtocolRow[] {
  return messages.map((m) => ({
    m_msgtime: formatTimestamp(m.time),
    m_paranoid: m.paranoid ? '1' : '0',
    m_ptoken: m.ptoken,
    m_code: m.code,
    m_msg: payloadText(m),
  }));
}

export type HistorySummaryRow = {
  h_recordtype: string;
  distinctrecs: string;
  totalrecs: string;
  totalsize: string;
  first: string;
  last: string;
};

export function historySummaryView(rows: readonly HistorySummary[]): HistorySummaryRow[] {
  return rows.map((r) => ({
    h_recordtype: r.type,
    distinctrecs: String(r.distinctRecnos),
    totalrecs: String(r.totalRecords),
    totalsize: String(r.approxBytes),
    first: formatTimestamp(r.first),
    last: formatTimestamp(r.last),
  }));
}

export type HistoryRecordRow = {
  h_timestamp: string;
  h_recordnumber: string;
  h_data: string;
};

export function historyRecordsView(rows: readonly HistoryRecord[]): HistoryRecordRow[] {
  return rows.map((r) => ({
    h_timestamp: formatTimestamp(r.timestamp),
    h_recordnumber: String(r.recno),
    h_data: r.data.toString('utf8'),
  }));
}
