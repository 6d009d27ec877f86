import { describe, expect, it } from 'vitest';
import { bridgeData, bridgeFromArgv, bridgeSwitch } from './bridge-data.ts';

describe('preload bridge data', () => {
  it('is plain, frozen device data', () => {
    const data = bridgeData({ platform: 'linux', hostname: 'kitchen-laptop', appVersion: '0.1.0' });
    expect(data).toEqual({ platform: 'linux', deviceName: 'Tote on kitchen-laptop', appVersion: '0.1.0' });
    expect(Object.isFrozen(data)).toBe(true);
    expect(bridgeData({ platform: 'darwin', hostname: '', appVersion: '1.0.0' }).deviceName).toBe('Tote on Mac');
  });

  it('travels from main to the preload on the command line, whatever the host name holds', () => {
    const data = bridgeData({ platform: 'win32', hostname: 'Ana\'s PC "2" = ünï', appVersion: '0.1.0' });
    const argv = ['/opt/Tote/tote', '--type=renderer', bridgeSwitch(data), '--enable-sandbox'];
    const read = bridgeFromArgv(argv);
    expect(read).toEqual(data);
    expect(Object.isFrozen(read)).toBe(true);
  });

  it('is absent when the switch is missing or malformed, so the renderer can say so', () => {
    expect(bridgeFromArgv(['/opt/Tote/tote', '--type=renderer'])).toBeNull();
    expect(bridgeFromArgv(['--tote-bridge=%7Bnot-json'])).toBeNull();
    expect(bridgeFromArgv(['--tote-bridge=' + encodeURIComponent('{"platform":"linux","deviceName":7,"appVersion":"1"}')])).toBeNull();
    expect(bridgeFromArgv(['--tote-bridge=' + encodeURIComponent('null')])).toBeNull();
  });
});
