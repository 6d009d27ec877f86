/**
 * The exact commands that make a computer trust the local sync server's authority, printed by `npm start`
 * and shown on the trust page. One list, so the terminal, the page and the docs cannot disagree; the
 * Debian/Ubuntu NSS command is the one the newcomer browser test runs (test/browser/first-connection.test.ts).
 */

/** The nickname the authority gets in certificate stores (to find or remove it later). */
export const AUTHORITY_NICKNAME = 'Tote local sync server';

export interface TrustCommands {
  readonly platform: string;
  readonly commands: readonly string[];
  readonly note?: string;
}

/** POSIX shell quoting for a path. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export function trustCommands(authorityFile: string): TrustCommands[] {
  const file = shellQuote(authorityFile);
  const windowsFile = `"${authorityFile.replace(/"/g, '')}"`;
  return [
    {
      platform: 'Debian / Ubuntu: Chromium, Chrome and Firefox-on-NSS (your user)',
      commands: [
        'sudo apt-get install -y libnss3-tools   # provides certutil',
        'mkdir -p "$HOME/.pki/nssdb" && certutil -d "sql:$HOME/.pki/nssdb" -N --empty-password 2>/dev/null || true',
        `certutil -d "sql:$HOME/.pki/nssdb" -A -t "C,," -n "${AUTHORITY_NICKNAME}" -i ${file}`,
      ],
      note: 'Restart the browser afterwards. Remove it with: certutil -d "sql:$HOME/.pki/nssdb" -D -n "' + AUTHORITY_NICKNAME + '"',
    },
    {
      platform: 'Debian / Ubuntu: the system store (curl, Node with --use-openssl-ca, other programs)',
      commands: [
        `sudo cp ${file} /usr/local/share/ca-certificates/tote-local-ca.crt`,
        'sudo update-ca-certificates',
      ],
    },
    {
      platform: 'macOS (Safari, Chrome, the desktop app)',
      commands: [`sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${file}`],
    },
    {
      platform: 'Windows (Edge, Chrome, the desktop app), in PowerShell',
      commands: [`Import-Certificate -FilePath ${windowsFile} -CertStoreLocation Cert:\\CurrentUser\\Root`],
    },
  ];
}
