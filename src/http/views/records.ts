import { formatTimestamp } from '../../server/server-commands.js';
import type { HistoryRecord, HistorySummary, StoredMessage } from '../../store/store.js';
import { payloadText } from './common.js';

/**
 * Row views that the reference takes straight from its database, with the JSON types its database
 * driver gives them (checked against the reference itself): integer columns and counts are JSON
 * numbers (`m_paranoid`, `h_recordnumber`, `distinctrecs`, `totalrecs`); times, text and the byte
 * total `totalsize` (a SUM, which the driver hands over as a decimal string) are JSON strings.
 */

export type ProtocolRow = {
  m_msgtime: string;
  m_paranoid: number;
  m_ptoken: string;
  m_code: string;
  m_msg: string;
};

/** GET /api/protocol: the valid stored messages, F and S first. */
export function protocolView(messages: readonly StoredMessage[]): ProtocolRow[] {
  return messages.map((m) => ({
    m_msgtime: formatTimestamp(m.time),
    m_paranoid: m.paranoid ? 1 : 0,
    m_ptoken: m.ptoken,
    m_code: m.code,
    m_msg: payloadText(m),
  }));
}

export type HistorySummaryRow = {
  h_recordtype: string;
  distinctrecs: number;
  totalrecs: number;
  totalsize: string;
  first: string;
  last: string;
};

export function historySummaryView(rows: readonly HistorySummary[]): HistorySummaryRow[] {
  return rows.map((r) => ({
    h_recordtype: r.type,
    distinctrecs: r.distinctRecnos,
    totalrecs: r.totalRecords,
    totalsize: String(r.approxBytes),
    first: formatTimestamp(r.first),
    last: formatTimestamp(r.last),
  }));
}

export type HistoryRecordRow = {
  h_timestamp: string;
  h_recordnumber: number;
  h_data: string;
};

export function historyRecordsView(rows: readonly HistoryRecord[]): HistoryRecordRow[] {
  return rows.map((r) => ({
    h_timestamp: formatTimestamp(r.timestamp),
    h_recordnumber: r.recno,
    h_data: r.data.toString('utf8'),
  }));
}
