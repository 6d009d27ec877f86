/** @tote/core: the platform-free cart and sync core shared by the extension and the desktop app. */
export * from './errors.ts';
export * from './ports.ts';
export * from './desktop-origin.ts';
export * from './cart/cart-types.ts';
export * from './cart/cart-actions.ts';
export { cartReducer, changedItems, toCartItem } from './cart/cart-reducer.ts';
export * from './cart/cart-selectors.ts';
export * from './cart/cart-totals.ts';
export * from './cart/cart-transfer.ts';
export { parseCartCsv, parseCsvRows, readCartCsv } from './cart/cart-csv-import.ts';
export { priceMarks, type PriceMark } from './cart/price-history.ts';
export { formOf, itemFormChanges, knownCurrency, parseMoneyInput, type ItemForm, type ItemFormChanges } from './cart/item-form.ts';
export { allShownSelected, clickItem, keepShown, NO_SELECTION, toggleAllShown, type CartSelection } from './cart/cart-selection.ts';
export { availabilityText, CART_SORTS, cartShops, isPriceDropped, isUnavailable, priceDropOf, queryCart, searchText, type CartQuery, type CartQueryResult, type CartSort } from './cart/cart-query.ts';
export { LIMITS, shopOf, validateCommand, validateProduct } from './cart/cart-validation.ts';
export * from './cart/money.ts';
export { openCartDatabase, type CartDatabase, type ItemCollection, type OpenCartDatabaseOptions } from './persistence/cart-database.ts';
export { deleteIndexedDbOf, sealExistingDatabase, type SealAtRestResult } from './persistence/seal-at-rest.ts';
export { encryptedStorage, SEALED_FIELD, type CipherSource, type EncryptedStorageOptions } from './persistence/encrypted-storage.ts';
export { createCartStore, type CartStore, type CartStoreOptions, type DispatchResult, type RestoreResult } from './store/cart-store.ts';
export { batchDocuments, createHistoryLog, type HistoryLog, type HistoryRead, type HistoryUsage, type WrittenDocument } from './store/history-log.ts';
export type { HistoryDoc } from './persistence/history-schema.ts';
export { createConflictStore, type ConflictStore } from './store/conflict-store.ts';
export { HISTORY_PUSH_DELAY_MS, startCartSync, type CartSync, type CartSyncOptions, type SyncTarget } from './sync/couch-replication.ts';
export * from './sync/sync-status.ts';
export { createUnreadableNotices, type UnreadableNotice, type UnreadableNotices } from './store/unreadable-notices.ts';
export { createToteClient, type ToteClient, type ToteClientOptions } from './tote-client.ts';
export { historyDbName, historyDbOf, historyDbUrl, shopperDbName } from './sync/sync-target.ts';
export { diagnoseConnection, trustPageUrl, TRUST_PAGE_PORT_OFFSET, type ConnectionDiagnosis, type ConnectionProblem } from './account/connection-diagnosis.ts';
export { accountApi, serverBase, syncTargetOf, type AccountApi, type DeviceSession, type StoredSession } from './account/account-api.ts';
export { AUTH_KDF, AUTH_SCHEME, authSecret, checkNewPassword } from './account/auth-secret.ts';
export { createAccountSession, SIGNED_OUT, type AccountPhase, type AccountSession, type AccountSessionOptions, type AccountState, type SessionStore } from './account/account-session.ts';
export {
  ACCOUNT_KEYS_VERSION, newAccountKeys, parseAccountKeyRecord, recoveryProof, rewrapAccountKeys, unlockWithPassword, unlockWithRecoveryKey, wrapAccountKeys,
  type AccountKeyRecord,
} from './account/account-keys.ts';
export { describeGuestMerge, planGuestMerge, type GuestMergePlan, type GuestMergeReport, type MergeRule } from './account/guest-merge.ts';
export { openLiveChannel, type LiveChannel, type LiveNotice, type OnlineDevice, type WebSocketFactory, type WebSocketLike } from './sync/live-channel.ts';
export { createDocumentCipher, reencryptEnvelope, ENVELOPE_VERSION, type DecryptFailure, type DocumentCipher } from './crypto/document-cipher.ts';
export { ARGON2ID_BOUNDS, DEFAULT_PASSWORD_KDF, type Argon2idParams, type HkdfParams, type KdfParams } from './crypto/kdf.ts';
export { createGuestKey, createKeyring, exportKeyring, importKeyring, openGuestKey, parseWrappedKeyRecord, rewrapDataKey, unwrapDataKey, unwrapWithRecoveryKey, wrapDataKey, wrapWithRecoveryKey, KEY_RECORD_VERSION, type Keyring, type WrappedKeyRecord } from './crypto/keyring.ts';
export { fromBase64url, toBase64url } from './crypto/base64url.ts';
export { checkRecoveryKey, newRecoveryKey, RECOVERY_KEY_LENGTH } from './crypto/recovery-key.ts';
export {
  compare as compareHlc, createHlc, formatHlc, hlc, HLC_MAX_COUNTER, HLC_MAX_DRIFT_MS, HLC_MAX_NODE_LENGTH, HLC_MAX_WALL,
  isBeyondDrift, maxHlc, parseHlc, receive as receiveHlc, stampAfter, stampAt, tick as tickHlc, tryParseHlc, type Hlc,
} from './merge/hlc.ts';
export * from './merge/item-clocks.ts';
export * from './merge/field-merge.ts';
export * from './merge/conflict-log.ts';
export { noticeViews, overrideLabel, type NoticeView } from './merge/notice-view.ts';
export {
  entriesForWrite, historyEntry, historyEntryId, HISTORY_KEEP_MS, mergeEntries,
  type FieldChanges, type HistoryEntry, type ItemOrigin,
} from './history/history-entry.ts';
export { entrySize, fromHistoryRecord, historySize, toHistoryRecord, type HistoryRecord } from './history/history-record.ts';
export { decodeBatch, encodeBatch, type HistoryBatch } from './history/history-batch.ts';
export { cartAt, type ClockedItems } from './history/cart-at.ts';
export { checkRestorePoint, planRestore, type RestoreMeta, type RestorePlan } from './history/restore.ts';
export { prune as pruneHistory } from './history/prune.ts';
export { timeline, type TimelineChange, type TimelineChangeKind, type TimelineOptions, type TimelinePoint } from './history/timeline.ts';
export { historySeal, isSealed, itemSeal, type DocumentSeal, type ItemSeal, type SealedItem } from './sync/sealed-items.ts';
export {
  DATABASE_KEY_VERSION, newDatabaseKey, openDatabaseKeyWith, openRawDatabaseKey, parseDatabaseKeyRecord, protectDatabaseKey, unlockDatabaseKey,
  type DatabaseKeyOwner, type DatabaseKeyRecord, type OpenDatabaseKey,
} from './persistence/database-key.ts';
export {
  createDeviceApp, lockedAccount, lockedError, type AtRest, type DeviceApp, type DeviceAppPorts, type DeviceSettings, type DeviceView, type OpenDevice,
} from './app/device-app.ts';
export {
  accountKeyEntry, createDatabaseLock, DEVICE_DATABASE_ENTRY, keyStoreDatabaseKey,
  type AtRestProtection, type DatabaseKeyState, type DatabaseLock, type DeviceKeyCustody, type LockStorage, type StoredValue,
} from './app/key-custody.ts';
export { lastSyncedText } from './sync/last-synced.ts';
export {
  ABANDON_AFTER_DAYS, BOUGHT_WITHIN_MS, DAY_MS, deriveEvents, EVENT_KINDS, FUNNEL_STEPS, SHOP_SIGNAL_KINDS, shopKey,
  type AddSourceOrUnknown, type AnalyticsEvent, type EventInput, type EventKind, type ShopSignal, type ShopSignalKind,
} from './analytics/analytics-events.ts';
export {
  computeInsights, utcMonthOf, type Insights, type InsightsInput, type MoneyByKey, type MonthCounts, type Purchase, type WaitingCart,
} from './analytics/insights.ts';
export {
  AGGREGATE_SOURCES, dailyAggregates, dayOf, MAX_SHOPS_PER_DAY, mergeAggregates, sameAggregate, SHOP_COUNTS, shopDomain,
  type DailyAggregate, type ShopCount,
} from './analytics/daily-aggregate.ts';
export {
  createAnalyticsReporter, gatewayAnalyticsTransport, MAX_DAYS_PER_BATCH, memoryAnalyticsStorage, SIGNAL_REPEAT_MS,
  type AnalyticsBatch, type AnalyticsLocalState, type AnalyticsReporter, type AnalyticsReporterOptions, type AnalyticsStoragePort, type AnalyticsTransport, type ReportResult, type SessionRef,
} from './analytics/analytics-reporter.ts';
export { commandOperation } from './monitoring/command-operation.ts';
export {
  createLatencyMonitor, decodeLatency, durationText, encodeLatency, figuresOf, LATENCY_DAYS_KEPT, MAX_LATENCY_CHARS, MAX_LATENCY_US, newLatencyHistogram,
  OPERATION_NAMES, supportText, systemStopwatch, TIMED_OPERATIONS,
  type DayLatency, type LatencyFigures, type LatencyMonitor, type LatencyReport, type Stopwatch, type TimedOperation,
} from './monitoring/latency-monitor.ts';
