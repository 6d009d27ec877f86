import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { createMessageHandler } from '../background/message-handler.ts';
import { extensionSettingsStore } from '../background/settings.ts';
import { markProductFound, servePopup, snapshot, toteClient } from '../background/tote-service.ts';
import { isMessage, POPUP_PORT } from '../messaging/protocol.ts';

export default defineBackground(() => {
  const handle = createMessageHandler({ client: toteClient, settings: extensionSettingsStore, snapshot, markProductFound });

  browser.runtime.onMessage.addListener((message, sender) => {
    if (!isMessage(message)) return undefined;
    return handle(message, sender);
  });
  browser.runtime.onConnect.addListener((port) => {
    if (port.name === POPUP_PORT) void servePopup(port);
  });
  // Wake every 30 s (Chrome's minimum) so live sync resumes after Chrome stops the idle worker.
  void browser.alarms.create('tote-sync', { periodInMinutes: 0.5 });
  browser.alarms.onAlarm.addListener(() => void toteClient());
  void toteClient();
});
