import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { addFromTab, createMessageHandler, type HandlerDeps } from '../background/message-handler.ts';
import { classifySender } from '../background/senders.ts';
import { extensionLastServer, extensionTabProducts } from '../background/settings.ts';
import { analytics, deviceLock, markProductFound, notify, reportAnalytics, servePopup, snapshot, toteAccount, toteClient, wake } from '../background/tote-service.ts';
import { isMessage, POPUP_PORT } from '../messaging/protocol.ts';

const ADD_MENU = 'tote-add';
const SYNC_ALARM = 'tote-sync';
/** Sends the day's usage counts, with the shopper's consent (docs/analytics.md), every six hours. */
const ANALYTICS_ALARM = 'tote-analytics';

export default defineBackground(() => {
  const deps: HandlerDeps = {
    client: toteClient, account: toteAccount, lastServer: extensionLastServer, tabProducts: extensionTabProducts, snapshot, markProductFound, notify, deviceLock, analytics,
  };
  const handle = createMessageHandler(deps);

  const self = { id: browser.runtime.id, baseUrl: browser.runtime.getURL('/') };
  browser.runtime.onMessage.addListener((message, sender) => {
    if (!isMessage(message)) return undefined;
    return handle(message, classifySender(sender, self));
  });
  // The popup's port carries the whole snapshot, the recovery key included: only the extension's own pages may open it.
  browser.runtime.onConnect.addListener((port) => {
    if (port.name === POPUP_PORT && port.sender && classifySender(port.sender, self)?.kind === 'extension') void servePopup(port);
    else port.disconnect();
  });

  // The same "add" from the page's context menu and from the keyboard shortcut (Alt+Shift+T).
  browser.runtime.onInstalled.addListener(() => {
    browser.contextMenus.create({ id: ADD_MENU, title: 'Add this product to Tote', contexts: ['page', 'image', 'link'] });
  });
  const addAndTell = async (tabId: number | undefined, source: 'context-menu' | 'shortcut') => {
    if (tabId === undefined) return;
    const result = await addFromTab(deps, tabId, source);
    if (!result.ok) notify('Tote', result.message);
    else void browser.action.setBadgeText({ tabId, text: '✓' });
  };
  browser.contextMenus.onClicked.addListener((info, tab) => {
    if (info.menuItemId === ADD_MENU) void addAndTell(tab?.id, 'context-menu');
  });
  browser.commands.onCommand.addListener(async (command) => {
    if (command !== 'add-to-tote') return;
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    await addAndTell(tab?.id, 'shortcut');
  });

  // Wake every 30 s (Chrome's minimum) so live sync resumes after Chrome stops the idle worker.
  // Created only when missing: creating it again on every wake would push the next alarm back each time.
  void browser.alarms.get(SYNC_ALARM).then(async (alarm) => {
    if (!alarm) await browser.alarms.create(SYNC_ALARM, { periodInMinutes: 0.5 });
  });
  void browser.alarms.get(ANALYTICS_ALARM).then(async (alarm) => {
    if (!alarm) await browser.alarms.create(ANALYTICS_ALARM, { periodInMinutes: 6 * 60 });
  });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === SYNC_ALARM) void wake();
    else if (alarm.name === ANALYTICS_ALARM) void reportAnalytics();
  });
  void wake();
});
